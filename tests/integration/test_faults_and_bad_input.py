"""Failure behaviour of the running suite: a dead component, and bad requests.

The scoring service is stopped and brought back through the ``suite`` fixture (backends.py):
its process is killed in local mode, its container stopped and started in Compose mode."""

from __future__ import annotations

import httpx
import pytest

from .conftest import SCORING, sample, wait_for

REQUEST = {"rubric_id": "stroke_v1", "student_id": "it-faults",
           "submission": {"oral_transcript": "[00:01] Student: When did this start?\n[00:04] Patient: At noon."}}


def scoring_up() -> bool:
    try:
        return httpx.get(f"{SCORING}/health", timeout=0.5).status_code == 200
    except httpx.HTTPError:
        return False


def test_killed_scoring_fails_the_grade_with_503_and_stores_nothing_then_recovers(api, suite):
    before = suite.stored_gradings()
    suite.stop_service("scoring")
    wait_for(lambda: not scoring_up(), 10, "scoring to stop answering")
    try:
        response = api.post("/grade", json=REQUEST)
        assert response.status_code == 503
        error = response.json()["error"]
        assert error["details"]["service"] == "scoring"
        assert "scoring" in error["message"]
        assert suite.stored_gradings() == before
        status = api.get("/services/status").json()
        assert status["status"] == "degraded" and status["services"]["scoring"]["status"] == "down"
    finally:
        suite.start_service("scoring")
    wait_for(scoring_up, 30, "scoring to answer again")
    response = api.post("/grade", json=REQUEST)
    assert response.status_code == 200, response.text
    assert suite.stored_gradings() - before == {f"{response.json()['grading_id']}.json"}


@pytest.mark.parametrize(("body", "status", "code"), [
    ({**REQUEST, "submission": {"oral_transcript": "   \n  "}}, 422, "invalid_request"),
    ({**REQUEST, "submission": {"oral_transcript": ""}}, 422, "invalid_request"),
    ({**REQUEST, "rubric_id": "no_such_rubric"}, 404, "rubric_not_found"),
    ({**REQUEST, "rubric_version": "9.9.9"}, 404, "rubric_not_found"),
    ({**REQUEST, "rubric_id": "../../etc/passwd"}, 422, "invalid_request"),
    ({"rubric_id": "stroke_v1"}, 422, "invalid_request"),
])
def test_bad_requests_get_clear_4xx_envelopes(api, body, status, code):
    response = api.post("/grade", json=body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["message"] and error["request_id"]
    if code:
        assert error["code"] == code


def test_malformed_json_is_422(api):
    response = api.post("/grade", content=b'{"rubric_id": "stroke_v1", ', headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_unknown_speakers_and_untimed_transcripts_still_grade(api):
    text = "Student: Hello, what brings you in?\nInterpreter: She says her arm is weak.\nStudent: When did this start?"
    response = api.post("/grade", json={**REQUEST, "submission": {"oral_transcript": text}})
    assert response.status_code == 200, response.text
    questions = response.json()["details"]["key_questions"]["details"]["questions"]
    onset = next(q for q in questions if q["id"] == "onset_time")
    assert onset["asked"] and onset["citation"] == "student://oral#utt=2"


def test_request_id_is_returned_and_propagated(api, suite):
    response = api.post("/grade", json={**REQUEST, "submission": {"oral_transcript": sample("stroke_interview.txt")}},
                        headers={"X-Request-ID": "it-trace-0001"})
    assert response.headers["X-Request-ID"] == "it-trace-0001"
    for service in ("document_parser", "scoring"):  # the rubric is cached by now
        wait_for(lambda service=service: "it-trace-0001" in suite.logs(service),
                 5, f"{service} to log the propagated request id")
