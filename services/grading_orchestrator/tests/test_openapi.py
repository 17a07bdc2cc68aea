"""The orchestrator's OpenAPI document: complete (medgrade_shared.testing.openapi), ``POST
/grade`` described, and examples that are real (they match the sample they come from)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from grading_orchestrator.api.docs import GRADE_REQUEST_EXAMPLE, GRADING_RESULT_EXAMPLE
from grading_orchestrator.core.config import OrchestratorSettings
from grading_orchestrator.main import create_app
from medgrade_shared.models.grading import GradeRequest, GradingResult
from medgrade_shared.testing.internal_token import TEST_INTERNAL_TOKEN
from medgrade_shared.testing.openapi import openapi_problems

SAMPLE = Path(__file__).resolve().parents[3] / "samples" / "stroke_interview.txt"


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> FastAPI:
    return create_app(OrchestratorSettings(store_path=tmp_path_factory.mktemp("store"), auth_required=False,
                                           internal_token=TEST_INTERNAL_TOKEN))  # module scope: before the env fixture


@pytest.fixture(scope="module")
def openapi(app) -> dict[str, Any]:
    return app.openapi()


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


def test_the_document_is_complete(app):
    assert openapi_problems(app, examples=[("post", "/grade"), ("post", "/grade/upload"),
                                           ("get", "/gradings/{grading_id}")]) == []


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
