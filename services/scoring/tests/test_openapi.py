"""The scoring service's OpenAPI document is complete (medgrade_shared.testing.openapi)."""

from __future__ import annotations

from medgrade_shared.models.vocabulary import COMPONENTS
from medgrade_shared.testing.openapi import openapi_problems
from scoring.main import create_app


def test_the_document_is_complete():
    operations = [("post", f"/score/{name}") for name in (*COMPONENTS, "aggregate")]
    assert openapi_problems(create_app(), examples=operations) == []
