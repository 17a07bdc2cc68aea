"""The OpenAPI document of ``POST /grade``: described, every field of its request and answers
explained, and examples that are real (they validate and match the sample they come from)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from grading_orchestrator.api.docs import GRADE_REQUEST_EXAMPLE, GRADING_RESULT_EXAMPLE
from grading_orchestrator.core.config import OrchestratorSettings
from grading_orchestrator.main import create_app
from medgrade_shared.models.grading import GradeRequest, GradingResult

SAMPLE = Path(__file__).resolve().parents[3] / "samples" / "stroke_interview.txt"


@pytest.fixture(scope="module")
def openapi(tmp_path_factory) -> dict[str, Any]:
    settings = OrchestratorSettings(store_path=tmp_path_factory.mktemp("store"), auth_required=False)
    return create_app(settings).openapi()


def _schemas_reached(openapi: dict[str, Any], schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every component schema ``schema`` refers to, directly or through another."""
    reached: dict[str, dict[str, Any]] = {}
    pending = [schema]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref:
                name = ref.rsplit("/", 1)[1]
                if name not in reached:
                    reached[name] = openapi["components"]["schemas"][name]
                    pending.append(reached[name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return reached


def _without_nulls(value: Any) -> Any:
    """FastAPI leaves null members out of the OpenAPI document, examples included."""
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def test_grade_has_a_summary_and_a_description(openapi):
    operation = openapi["paths"]["/grade"]["post"]
    assert operation["summary"]
    assert "rubric" in operation["description"] and "503" in operation["description"]


def test_every_field_of_the_grade_request_and_its_answers_is_described(openapi):
    operation = openapi["paths"]["/grade"]["post"]
    roots = [operation["requestBody"]["content"]["application/json"]["schema"],
             *(answer["content"]["application/json"]["schema"] for answer in operation["responses"].values()
               if "content" in answer)]
    schemas = {name: schema for root in roots for name, schema in _schemas_reached(openapi, root).items()}
    assert {"GradeRequest", "Submission", "GradingResult", "FeedbackItem", "ErrorEnvelope"} <= schemas.keys()
    undescribed = [f"{name}.{field}" for name, schema in schemas.items()
                   for field, spec in schema.get("properties", {}).items() if not spec.get("description")]
    assert undescribed == []


def test_the_examples_are_in_the_document(openapi):
    operation = openapi["paths"]["/grade"]["post"]
    request_examples = operation["requestBody"]["content"]["application/json"]["examples"]
    assert [example["value"] for example in request_examples.values()] == [GRADE_REQUEST_EXAMPLE]
    for path, method in (("/grade", "post"), ("/grade/upload", "post"), ("/gradings/{grading_id}", "get")):
        example = openapi["paths"][path][method]["responses"]["200"]["content"]["application/json"]["example"]
        assert example == _without_nulls(GRADING_RESULT_EXAMPLE), path


def test_the_examples_validate_and_belong_together():
    request = GradeRequest.model_validate(GRADE_REQUEST_EXAMPLE)
    result = GradingResult.model_validate(GRADING_RESULT_EXAMPLE)
    assert request.submission.oral_transcript == SAMPLE.read_text(encoding="utf-8")
    assert (result.rubric_id, result.student_id) == (request.rubric_id, request.student_id)
    assert result.overall == pytest.approx(sum(entry.weighted for entry in result.breakdown.values()), abs=1e-5)
