"""Real examples for the services' OpenAPI documents: ``samples/stroke_interview.txt`` parsed
and scored against the ``stroke_v1`` rubric, as the services answer them. Written by
``scripts/make_api_examples.py``; tests/scripts/test_api_examples.py checks they are current."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any


@cache
def example(name: str) -> Any:
    """The content of ``<name>.json`` beside this module."""
    return json.loads((files(__name__) / f"{name}.json").read_text(encoding="utf-8"))


def json_content(value: Any) -> dict[str, Any]:
    """The ``content`` of a request body or an answer in the OpenAPI document, with ``value``
    as its JSON example."""
    return {"application/json": {"example": value}}
