"""What the OpenAPI document shows besides the models: real examples, the grading of
``samples/stroke_interview.txt`` (the transcript of the shared examples; the result in
``examples/`` is shortened to one or two feedback items and details per component)."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from medgrade_shared.examples import example
from medgrade_shared.models.grading import GradingResult


def _example(name: str) -> Any:
    return json.loads((files("grading_orchestrator.api") / "examples" / name).read_text(encoding="utf-8"))


GRADE_REQUEST_EXAMPLE = {"rubric_id": "stroke_v1", "student_id": "s1",
                         "submission": {"oral_transcript": example("parse_request")["text"]}}
GRADING_RESULT_EXAMPLE = _example("grading_result.json")
# The 200 entry of ``responses`` for every route that answers a grading.
GRADING_RESPONSE = {"model": GradingResult, "description": "The grading.",
                    "content": {"application/json": {"example": GRADING_RESULT_EXAMPLE}}}
