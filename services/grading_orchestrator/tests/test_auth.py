"""API keys: the scope rules, nginx's verify endpoint and the orchestrator's own key check."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from grading_orchestrator.auth import normalize_path, required_scope
from grading_orchestrator.core.config import OrchestratorSettings
from grading_orchestrator.main import create_app

REQUEST = {"rubric_id": "demo_v1", "student_id": "s-1",
           "submission": {"oral_transcript": "[00:01] Student: What brings you in?"}}


@pytest.fixture
def client(fake, settings):
    with TestClient(create_app(settings, transport=fake.transport())) as test_client:
        yield test_client


@pytest.mark.parametrize(("method", "uri", "scope"), [
    ("POST", "/grade", "grade"),
    ("POST", "/grade/upload", "grade"),
    ("GET", "/gradings/abc123", "grade"),
    ("POST", "/gradings/abc123/reviews", "review"),
    ("GET", "/gradings/abc123/report", "grade"),
    ("GET", "/services/status", "grade"),
    ("POST", "/batches", "grade"),
    ("GET", "/batches/b1/results?page=2", "grade"),
    ("GET", "/rubrics", "rubrics:read"),
    ("HEAD", "/rubrics/stroke_v1?version=1.0.0", "rubrics:read"),
    ("get", "/rubrics/stroke_v1/versions", "rubrics:read"),
    ("POST", "/rubrics", "rubrics:write"),
    ("PATCH", "/rubrics/stroke_v1", "rubrics:write"),
    ("PUT", "/rubrics/stroke_v1", "rubrics:write"),
    ("POST", "/rubrics/stroke_v1/approve", "rubrics:write"),
    ("POST", "//grade", "grade"),
    ("GET", "/%72ubrics", "rubrics:read"),
    ("GET", "/gradings/x/../../rubrics", "rubrics:read"),
    ("POST", "/gradex", None),
    ("GET", "/gradings", "grade"),
    ("GET", "/metrics", None),
    ("GET", "/auth/verify", None),
    ("GET", "/rubrics-export", None),
    ("GET", "/grade/../metrics", None),
    ("GET", "", None),
])
def test_each_route_needs_its_scope(method, uri, scope):
    assert required_scope(method, uri) == scope


def test_paths_are_normalized_like_nginx_does():
    assert normalize_path("/a//b/./c/../d?x=/grade") == "/a/b/d"
    assert normalize_path("/rubrics/%2E%2E/metrics") == "/metrics"


def verify(client, key: str | None, method: str, uri: str):
    headers = {"X-Original-URI": uri, "X-Original-Method": method}
    if key is not None:
        headers["X-API-Key"] = key
    return client.get("/auth/verify", headers=headers)


def test_verify_names_the_client_and_its_scopes(client, keys):
    key = keys.create("lms", ["grade", "rubrics:read"])
    response = verify(client, key, "POST", "/grade")
    assert response.status_code == 200
    assert response.headers["X-Client-Name"] == "lms"
    assert response.headers["X-Client-Scopes"] == "grade rubrics:read"
    assert verify(client, key, "GET", "/rubrics/stroke_v1").status_code == 200


@pytest.mark.parametrize("key", [None, "", "mgk_unknown", "not-even-a-key"])
def test_verify_refuses_a_missing_or_unknown_key_with_401(client, keys, key):
    keys.create("lms", ["grade"])
    response = verify(client, key, "POST", "/grade")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "unauthorized" and error["request_id"]
    assert "X-Client-Name" not in response.headers


def test_a_revoked_key_is_refused_at_once(client, keys):
    key = keys.create("lms", ["grade"])
    assert verify(client, key, "POST", "/grade").status_code == 200
    keys.revoke(name="lms")
    assert verify(client, key, "POST", "/grade").status_code == 401


def test_verify_refuses_a_missing_scope_with_403(client, keys):
    key = keys.create("lms", ["grade", "rubrics:read"])
    response = verify(client, key, "POST", "/rubrics")
    assert response.status_code == 403
    assert response.json()["error"]["details"] == {"required_scope": "rubrics:write"}
    assert verify(client, key, "GET", "/metrics").status_code == 403
    assert verify(client, key, "GET", "").status_code == 403


def test_public_routes_need_a_key_with_the_grade_scope(client, keys):
    grader = keys.create("lms", ["grade"])
    editor = keys.create("editor", ["rubrics:read", "rubrics:write"])
    assert client.post("/grade", json=REQUEST).status_code == 401
    assert client.get("/services/status").status_code == 401
    assert client.get("/gradings/abc", headers={"X-API-Key": "mgk_nope"}).status_code == 401
    assert client.post("/grade", json=REQUEST, headers={"X-API-Key": editor}).status_code == 403
    graded = client.post("/grade", json=REQUEST, headers={"X-API-Key": grader})
    assert graded.status_code == 200
    again = client.get(f"/gradings/{graded.json()['grading_id']}", headers={"X-API-Key": grader})
    assert again.status_code == 200
    assert client.get("/services/status", headers={"X-API-Key": grader}).status_code == 200


def test_an_unauthenticated_request_reaches_no_downstream_service(client, fake):
    assert client.post("/grade", json=REQUEST).status_code == 401
    assert sum(fake.calls.values()) == 0


def test_health_ready_and_metrics_stay_open(client):
    for path in ("/health", "/ready", "/metrics"):
        assert client.get(path).status_code == 200


def test_auth_can_be_turned_off_for_internal_traffic(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("MEDGRADE_ORCHESTRATOR_AUTH_REQUIRED", "false")
    settings = OrchestratorSettings(store_path=tmp_path / "store", retry_backoff_max_s=0.01)
    with TestClient(create_app(settings, transport=fake.transport())) as open_client:
        assert open_client.post("/grade", json=REQUEST).status_code == 200
        assert verify(open_client, None, "POST", "/grade").status_code == 401
