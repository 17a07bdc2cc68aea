"""What a caller of /grade reads when a request is refused: the field in plain words, what it
allows, one shape for one problem, and hints in /grade's own field names."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from grading_orchestrator.core.config import OrchestratorSettings
from grading_orchestrator.main import create_app

REQUEST = {"rubric_id": "demo_v1", "student_id": "s-1",
           "submission": {"oral_transcript": "[00:01] Student: What brings you in?"}}
DRAFT_ONLY = {"error": {"code": "not_found", "message": "Rubric 'draft_v1' has no approved version yet (1.0.0 "
                        "(draft)); ask for one of them with ?version= or approve one.",
                        "details": {"reason": "no_approved_version", "rubric_id": "draft_v1",
                                    "versions": [{"version": "1.0.0", "status": "draft"}]}}}


@pytest.fixture
def client(fake, tmp_path: Path):
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/rubrics/draft_v1":
            return httpx.Response(404, json=DRAFT_ONLY)
        return fake.handle(request)

    settings = OrchestratorSettings(store_path=tmp_path / "store", retry_backoff_max_s=0.01, auth_required=False)
    with TestClient(create_app(settings, transport=httpx.MockTransport(handle))) as test_client:
        yield test_client


def _error(client: TestClient, body: dict) -> dict:
    response = client.post("/grade", json=body)
    assert response.status_code in (404, 422)
    return response.json()["error"]


def test_a_student_id_with_a_space_says_what_is_allowed(client) -> None:
    error = _error(client, {**REQUEST, "student_id": "Jane Doe"})

    assert error["message"] == "student_id may contain letters, digits and . _ @ -; spaces are not allowed."
    assert error["details"][0]["field"] == "student_id"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("rubric_id", "Chest Pain", "rubric_id may contain lower-case letters, digits, _ and -"),
    ("rubric_version", "latest", "rubric_version must be a version of three whole numbers separated by dots"),
])
def test_rubric_fields_say_what_is_allowed(client, field, value, message) -> None:
    assert _error(client, {**REQUEST, field: value})["message"].startswith(message)


def test_an_empty_and_a_whitespace_transcript_are_one_error(client, fake) -> None:
    empty = _error(client, {**REQUEST, "submission": {"oral_transcript": ""}})
    blank = _error(client, {**REQUEST, "submission": {"oral_transcript": " \n\t "}})

    assert empty == {**blank, "request_id": empty["request_id"]}
    assert empty["code"] == "invalid_request"
    assert empty["message"] == "submission.oral_transcript must not be empty or only whitespace."
    assert sum(fake.calls.values()) == 0


def test_a_missing_field_and_an_unknown_format_are_named(client) -> None:
    assert _error(client, {"rubric_id": "demo_v1", "submission": REQUEST["submission"]})["message"] == \
        "student_id is required."
    error = _error(client, {**REQUEST, "submission": {**REQUEST["submission"], "format": "docx"}})
    assert error["message"] == "submission.format must be one of 'auto', 'text', 'vtt', 'srt' or 'json'."


def test_a_rubric_without_an_approved_version_hints_at_rubric_version(client) -> None:
    error = _error(client, {**REQUEST, "rubric_id": "draft_v1"})

    assert error["code"] == "rubric_not_found"
    assert "set rubric_version to one of them" in error["message"] and "1.0.0 (draft)" in error["message"]
    assert "?version=" not in error["message"]
