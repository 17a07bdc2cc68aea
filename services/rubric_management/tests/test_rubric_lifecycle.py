"""Approve (QA gate) and archive: statuses move forward only, as marker objects beside the
content, which never changes."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from medgrade_shared.internal_auth import INTERNAL_TOKEN_HEADER
from medgrade_shared.testing.internal_token import assert_refused_without_token


def _contents(client: TestClient) -> dict[str, bytes | None]:
    """The content objects of draft_v1 (not the status markers)."""
    store = client.app.state.repository.store
    return {key: store.get(key) for key in store.list_keys("rubrics/draft_v1")
            if re.fullmatch(r"rubrics/draft_v1/\d+\.\d+\.\d+\.json", key)}


def test_approving_a_draft_passes_the_gate_and_makes_it_latest(client: TestClient, draft: dict[str, Any]) -> None:
    created = client.post("/rubrics", json=draft)
    assert client.get("/rubrics/draft_v1").status_code == 404
    contents = _contents(client)
    assert list(contents) == ["rubrics/draft_v1/1.0.0.json"]
    response = client.post("/rubrics/draft_v1/approve", params={"version": "1.0.0"})
    assert response.status_code == 200
    body = response.json()
    assert (body["rubric_id"], body["version"], body["status"]) == ("draft_v1", "1.0.0", "approved")
    assert body["report"]["valid"] is True
    latest = client.get("/rubrics/draft_v1")
    assert latest.json()["status"] == "approved"
    assert latest.headers["etag"] == body["etag"] != created.headers["etag"]
    assert _contents(client) == contents
    marker = client.app.state.repository.store.get("rubrics/draft_v1/1.0.0.approved.json")
    assert b'"status":"approved"' in marker


def test_approving_again_is_idempotent(client: TestClient) -> None:
    response = client.post("/rubrics/stroke_v1/approve", params={"version": "1.0.0"})
    assert (response.status_code, response.json()["status"], response.json()["report"]) == (200, "approved", None)


def test_a_version_failing_qa_is_refused_with_the_report(client: TestClient, draft: dict[str, Any]) -> None:
    questions = [{**q, "critical": False} for q in draft["key_questions"]]
    client.post("/rubrics", json={**draft, "key_questions": questions})
    response = client.post("/rubrics/draft_v1/approve", params={"version": "1.0.0"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "qa_failed"
    assert error["details"]["valid"] is False
    assert [(f["check"], f["loc"]) for f in error["details"]["errors"]] == [("critical_question", ["key_questions"])]
    assert client.get("/rubrics/draft_v1/versions").json()["items"] == [{"version": "1.0.0", "status": "draft"}]


def test_approve_needs_an_existing_version(client: TestClient) -> None:
    assert client.post("/rubrics/stroke_v1/approve").status_code == 422
    assert client.post("/rubrics/stroke_v1/approve", params={"version": "3.0.0"}).status_code == 404


def test_archiving_the_approved_version_falls_back_to_the_previous_approved_one(
    client: TestClient, stroke: dict[str, Any]
) -> None:
    client.post("/rubrics", json={**stroke, "version": "1.1.0"})
    assert client.get("/rubrics/stroke_v1").json()["version"] == "1.1.0"
    response = client.post("/rubrics/stroke_v1/versions/1.1.0/archive")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["report"]) == ("archived", None)
    assert client.get("/rubrics/stroke_v1").json()["version"] == "1.0.0"
    archived = client.get("/rubrics/stroke_v1", params={"version": "1.1.0"})
    assert (archived.status_code, archived.json()["status"]) == (200, "archived")
    again = client.post("/rubrics/stroke_v1/versions/1.1.0/archive")
    assert (again.status_code, again.json()["etag"]) == (200, response.json()["etag"])


def test_an_archived_version_cannot_be_approved_again(client: TestClient, draft: dict[str, Any]) -> None:
    client.post("/rubrics", json=draft)
    assert client.post("/rubrics/draft_v1/versions/1.0.0/archive").json()["status"] == "archived"
    response = client.post("/rubrics/draft_v1/approve", params={"version": "1.0.0"})
    assert response.status_code == 409
    assert "archived" in response.json()["error"]["message"]


def test_archiving_an_unknown_version_is_a_404_and_a_bad_one_a_422(client: TestClient) -> None:
    assert client.post("/rubrics/stroke_v1/versions/7.0.0/archive").status_code == 404
    assert client.post("/rubrics/stroke_v1/versions/..%2F1.0.0/archive").status_code in (404, 422)
    assert client.post("/rubrics/stroke_v1/versions/1.0/archive").status_code == 422


def test_a_crashed_creation_is_finished_by_resubmitting(client: TestClient, draft: dict[str, Any]) -> None:
    """Content written, approval marker not (a crash between the two writes): posting the
    approved document again approves the stored version."""
    client.post("/rubrics", json=draft)
    response = client.post("/rubrics", json={**draft, "status": "approved"})
    assert (response.status_code, response.json()["status"]) == (200, "approved")


def test_no_rubric_operation_is_open_without_the_internal_credential(client: TestClient,
                                                                      draft: dict[str, Any]) -> None:
    """Issue 13, item 7: anything that reached the service could create, approve or archive."""
    assert_refused_without_token(client, "POST", "/rubrics", json=draft)
    before = _contents(client)
    for method, path, params in (("GET", "/rubrics", None), ("GET", "/rubrics/draft_v1/versions", None),
                                 ("POST", "/rubrics/draft_v1/approve", {"version": "1.0.0"}),
                                 ("POST", "/rubrics/draft_v1/versions/1.0.0/archive", None),
                                 ("PUT", "/rubrics/draft_v1", None), ("POST", "/rubrics/validate", None)):
        response = client.request(method, path, params=params, headers={INTERNAL_TOKEN_HEADER: "forged",
                                                                        "X-Client-Name": "orchestrator"})
        assert response.status_code == 401, (method, path)
    assert _contents(client) == before  # nothing approved or archived
