"""Through the real gateway: the 4xx messages a teacher or an integrator meets first, and the
formulas without free marks (issue 12). Each test uses a fresh key, so that its few requests
stay within the per-client burst run_integration_tests.sh gives the gateway."""

from __future__ import annotations

import copy
import json
import uuid

import httpx
import pytest

from .conftest import GATEWAY, ROOT

NO_SUMMARY = "[00:01] Student: What brings you in today?\n[00:04] Patient: My right arm went weak.\n" \
             "[00:09] Student: When did it start?\n[00:12] Patient: At about eight."
GRADE = {"rubric_id": "stroke_v1", "student_id": "it-messages", "submission": {"oral_transcript": NO_SUMMARY}}
STROKE = json.loads((ROOT / "services/rubric_management/src/rubric_management/examples/stroke_v1.json").read_text())


@pytest.fixture
def client(suite):
    """A gateway client with a fresh key that may grade and read and write rubrics."""
    key = suite.keys_cli("create", "--name", f"it-{uuid.uuid4().hex[:10]}", "--scopes", "grade", "rubrics:read",
                         "rubrics:write")
    with httpx.Client(base_url=GATEWAY, timeout=30, headers={"X-API-Key": key}) as gateway:
        yield gateway


def _error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    return response.json()["error"]


def _draft(client: httpx.Client, **changes) -> str:
    """Store a draft copy of stroke_v1 under a new id; return the id."""
    rubric_id = f"it_draft_{uuid.uuid4().hex[:8]}"
    document = {**copy.deepcopy(STROKE), "rubric_id": rubric_id, "version": "1.0.0", "status": "draft", **changes}
    assert client.post("/rubrics", json=document).status_code == 201
    return rubric_id


def test_a_transcript_without_a_summary_scores_zero_on_summary_and_says_so(client):
    response = client.post("/grade", json=GRADE)
    assert response.status_code == 200, response.text
    result = response.json()

    assert result["components"]["summary"] == 0.0
    assert result["breakdown"]["summary"]["weighted"] == 0.0
    assert any(item["component"] == "summary" and "No summary was found, so the summary scores 0" in item["message"]
               for item in result["feedback"])


def test_a_student_id_with_a_space_says_what_is_allowed(client):
    error = _error(client.post("/grade", json={**GRADE, "student_id": "Jane Doe"}), 422)

    assert error["message"] == "student_id may contain letters, digits and . _ @ -; spaces are not allowed."
    assert error["details"][0]["field"] == "student_id"


def test_an_empty_and_a_whitespace_only_transcript_give_the_same_error(client):
    empty = _error(client.post("/grade", json={**GRADE, "submission": {"oral_transcript": ""}}), 422)
    blank = _error(client.post("/grade", json={**GRADE, "submission": {"oral_transcript": "  \n\t "}}), 422)

    assert {**empty, "request_id": None} == {**blank, "request_id": None}
    assert (empty["code"], empty["message"]) == (
        "invalid_request", "submission.oral_transcript must not be empty or only whitespace.")


def test_an_unknown_rubric_id_names_the_closest_ids(client):
    error = _error(client.post("/grade", json={**GRADE, "rubric_id": "strok_v1"}), 404)

    assert error["code"] == "rubric_not_found"
    assert error["message"].startswith("There is no rubric 'strok_v1'. The closest existing ids: stroke_v1")


def test_a_rubric_without_an_approved_version_hints_at_rubric_version(client):
    rubric_id = _draft(client)
    error = _error(client.post("/grade", json={**GRADE, "rubric_id": rubric_id}), 404)

    assert "set rubric_version to one of them" in error["message"] and "1.0.0 (draft)" in error["message"]
    assert "?version=" not in error["message"]
    graded = client.post("/grade", json={**GRADE, "rubric_id": rubric_id, "rubric_version": "1.0.0"})
    assert graded.status_code == 200, graded.text


def test_a_weighted_part_left_empty_is_refused_by_the_gate_and_by_scoring(client):
    rubric_id = _draft(client, communication={"behaviours": []})

    report = _error(client.post(f"/rubrics/{rubric_id}/approve", params={"version": "1.0.0"}), 422)["details"]
    assert [(e["check"], e["loc"]) for e in report["errors"]] == [("empty_component", ["communication", "behaviours"])]
    graded = _error(client.post("/grade", json={**GRADE, "rubric_id": rubric_id, "rubric_version": "1.0.0"}), 422)
    assert graded["code"] == "invalid_rubric"
    assert "communication has weight 0.05 but the rubric lists no communication behaviours" in graded["message"]
