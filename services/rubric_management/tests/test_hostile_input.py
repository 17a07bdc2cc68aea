"""Hostile input gets a clear 4xx, never a 500, and nothing is ever written outside the store."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient

from rubric_management.documents import MAX_DEPTH


class RecordingStore:
    """Wraps the real store and records every key the service asks it for."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[tuple[str, str]] = []

    def get(self, key: str) -> bytes | None:
        self.calls.append(("get", key))
        return self.inner.get(key)

    def put_new(self, key: str, data: bytes) -> bool:
        self.calls.append(("put_new", key))
        return self.inner.put_new(key, data)

    def list_keys(self, prefix: str) -> list[str]:
        self.calls.append(("list_keys", prefix))
        return self.inner.list_keys(prefix)

    def check(self) -> None:
        self.inner.check()


@pytest.fixture
def recording(client: TestClient) -> RecordingStore:
    repository = client.app.state.repository
    repository.store = RecordingStore(repository.store)
    return repository.store


REFUSED_BY_PATTERN = ["%2E%2E", "..%00", "*", "a%00b", "a" * 65, "Stroke_v1", "stroke v1", "-stroke", "stroke_"]
NOT_ROUTED = ["a%2Fb", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fsecret", ".."]
ROUTES = [("GET", "/rubrics/{id}"), ("GET", "/rubrics/{id}/versions"), ("GET", "/rubrics/{id}/export"),
          ("PATCH", "/rubrics/{id}"), ("PUT", "/rubrics/{id}"), ("POST", "/rubrics/{id}/approve?version=1.0.0"),
          ("POST", "/rubrics/{id}/versions/1.0.0/archive")]


@pytest.mark.parametrize("rubric_id", REFUSED_BY_PATTERN)
@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_ids_outside_the_safe_pattern_are_a_422_without_store_access(
    client: TestClient, recording: RecordingStore, rubric_id: str, method: str, route: str
) -> None:
    response = client.request(method, route.format(id=rubric_id), json=[])
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    assert ["path", "rubric_id"] in [detail["loc"] for detail in response.json()["error"]["details"]]
    assert recording.calls == []


@pytest.mark.parametrize("rubric_id", NOT_ROUTED)
@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_ids_with_slashes_or_dot_segments_match_no_route(
    client: TestClient, recording: RecordingStore, rubric_id: str, method: str, route: str
) -> None:
    response = client.request(method, route.format(id=rubric_id), json=[])
    assert response.status_code in (404, 405)
    assert recording.calls == []


@pytest.mark.parametrize("rubric_id", ["../escape", "a/b", "*", "A", "a" * 65, "x\u0000y", "..", "%2F"])
def test_posting_or_importing_a_rubric_with_a_hostile_id_writes_nothing(
    client: TestClient, recording: RecordingStore, stroke: dict[str, Any], rubric_id: str
) -> None:
    response = client.post("/rubrics", json={**stroke, "rubric_id": rubric_id})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["loc"] == ["body", "rubric_id"]
    imported = client.post("/rubrics/import",
                           files={"file": ("r.json", json.dumps({**stroke, "rubric_id": rubric_id}).encode())})
    assert imported.status_code == 422
    assert imported.json()["error"]["details"][0]["loc"] == ["file", "rubric_id"]
    assert recording.calls == []


@pytest.mark.parametrize(("method", "path"), [("POST", "/rubrics"), ("POST", "/rubrics/validate"),
                                              ("PUT", "/rubrics/stroke_v1"), ("PATCH", "/rubrics/stroke_v1")])
def test_lone_surrogates_are_a_422(client: TestClient, stroke: dict[str, Any], method: str, path: str) -> None:
    if method == "PATCH":
        body = b'[{"op": "replace", "path": "/title", "value": "\\ud800"}]'
    else:
        body = json.dumps({**stroke, "title": "TITLE"}).encode().replace(b"TITLE", b"\\ud800")
    response = client.request(method, path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["error"]["message"]
    assert len(client.get("/rubrics/stroke_v1/versions").json()["items"]) == 1


@pytest.mark.parametrize(("method", "path"), [("POST", "/rubrics"), ("POST", "/rubrics/validate"),
                                              ("PUT", "/rubrics/stroke_v1"), ("PATCH", "/rubrics/stroke_v1")])
def test_oversize_bodies_are_a_413_declared_or_streamed(make_client: Any, method: str, path: str) -> None:
    client = make_client(max_body_bytes=8192)
    body = b'{"title": "' + b"x" * 10_000 + b'"}'
    declared = client.request(method, path, content=body, headers={"content-type": "application/json"})
    assert declared.status_code == 413
    assert declared.json()["error"]["code"] == "payload_too_large"

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 1000):
            yield body[start:start + 1000]

    streamed = client.request(method, path, content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    assert len(client.get("/rubrics/stroke_v1/versions").json()["items"]) == 1


def test_deeply_nested_documents_are_a_422(client: TestClient, stroke: dict[str, Any]) -> None:
    nested: Any = "leaf"
    for _ in range(MAX_DEPTH + 1):
        nested = {"n": nested}
    response = client.post("/rubrics", json={**stroke, "x_nested": nested, "version": "1.1.0"})
    assert response.status_code == 422
    assert "nests deeper" in response.json()["error"]["message"]
    very_deep = b"[" * 5000 + b"]" * 5000
    assert client.patch("/rubrics/stroke_v1", content=very_deep,
                        headers={"content-type": "application/json-patch+json"}).status_code == 422


def test_a_catastrophic_regex_is_stored_and_runs_in_linear_time(client: TestClient, stroke: dict[str, Any]) -> None:
    patch = [{"op": "replace", "path": "/reasoning/required_links/0/pattern", "value": "(a+)+$"}]
    response = client.patch("/rubrics/stroke_v1", json=patch)
    assert response.status_code == 201
    started = time.perf_counter()
    approve = client.post("/rubrics/stroke_v1/approve", params={"version": response.json()["version"]})
    assert approve.status_code == 200
    assert time.perf_counter() - started < 2.0


def test_a_backreference_is_a_422_at_create_validate_and_edit(client: TestClient, stroke: dict[str, Any]) -> None:
    reasoning = {**stroke["reasoning"], "required_links": [{"id": "b", "pattern": r"(a)\1"}]}
    body = {**stroke, "reasoning": reasoning, "version": "1.1.0"}
    assert client.post("/rubrics", json=body).status_code == 422
    assert client.post("/rubrics", json={**body, "status": "draft"}).status_code == 422
    assert client.post("/rubrics/validate", json=body).status_code == 422
    assert client.put("/rubrics/stroke_v1", json={**body, "version": "1.0.0"}).status_code == 422
    assert len(client.get("/rubrics/stroke_v1/versions").json()["items"]) == 1


HOSTILE_REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/rubrics", {"content": b"\x00\x01\x02", "headers": {"content-type": "application/json"}}),
    ("POST", "/rubrics", {"content": b'{"rubric_id": "../../escape", "weights": {}}',
                          "headers": {"content-type": "application/json"}}),
    ("POST", "/rubrics", {"content": b"NaN", "headers": {"content-type": "application/json"}}),
    ("POST", "/rubrics", {"content": b'{"rubric_id": "x", "weights": {"structure": 1e999}}',
                          "headers": {"content-type": "application/json"}}),
    ("POST", "/rubrics", {"content": b"\xff\xfe", "headers": {"content-type": "application/json"}}),
    ("PUT", "/rubrics/stroke_v1", {"json": "just a string"}),
    ("PUT", "/rubrics/stroke_v1", {"json": {"rubric_id": "../../escape"}}),
    ("PATCH", "/rubrics/stroke_v1", {"json": [{"op": "replace", "path": "/rubric_id", "value": "../../escape"}]}),
    ("PATCH", "/rubrics/stroke_v1", {"json": [{"op": "add", "path": "/~2/x", "value": 1}]}),
    ("PATCH", "/rubrics/stroke_v1", {"json": [{"op": "copy", "from": "/key_questions/0", "path": "/no/such/parent"}]}),
    ("PATCH", "/rubrics/stroke_v1", {"json": [{"op": "move", "from": "/structure", "path": "/structure/inner"}]}),
    ("PATCH", "/rubrics/stroke_v1", {"json": [{"op": "add", "path": "/key_questions/-1", "value": {}}]}),
    ("PATCH", "/rubrics/stroke_v1", {"json": [{"op": "replace", "path": "/key_questions/0", "value": None}]}),
    ("PATCH", "/rubrics/stroke_v1", {"json": [{"op": "test", "path": 5, "value": 1}]}),
    ("PATCH", "/rubrics/stroke_v1", {"json": [{"op": 5, "path": "/title"}]}),
    ("PATCH", "/rubrics/stroke_v1", {"json": [{"op": "replace", "path": "/weights", "value": {"structure": "NaN"}}]}),
    ("PATCH", "/rubrics/stroke_v1", {"json": [{}] * 501}),
    ("PUT", "/rubrics/stroke_v1", {"json": {}, "headers": {"If-Match": b"\xff" * 10}}),
    ("POST", "/rubrics/import", {"files": {"file": ("../../escape.json", b'{"rubric_id": "escape"}')}}),
    ("POST", "/rubrics/import", {"files": {"file": ("x", b"")}}),
    ("POST", "/rubrics/import", {"files": {"file": ("x", b"---\n...\n")}}),
    ("POST", "/rubrics/import", {"content": b"garbage",
                                 "headers": {"content-type": "multipart/form-data; boundary=b"}}),
    ("GET", "/rubrics/stroke_v1/export?format=../../etc", {}),
    ("GET", "/rubrics/stroke_v1?version=1.0.0%00", {}),
    ("POST", "/rubrics/stroke_v1/approve?version=99999999999999999999.0.0", {}),
    ("GET", "/rubrics?limit=99999999999999999999", {}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), HOSTILE_REQUESTS)
def test_hostile_requests_get_a_4xx_envelope_never_a_500(
    client: TestClient, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    response = client.request(method, path, **kwargs)
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert response.json()["error"]["message"]
    assert len(client.get("/rubrics/stroke_v1/versions").json()["items"]) == 1


def _files_outside(root: Path, store: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if store not in (p, *p.parents)}


def test_no_request_writes_outside_the_store(client: TestClient, stroke: dict[str, Any], tmp_path: Path,
                                              store_settings: dict[str, Any]) -> None:
    store_path = store_settings["store_path"]
    before = _files_outside(tmp_path, store_path)
    for method, path, kwargs in HOSTILE_REQUESTS:
        client.request(method, path, **kwargs)
    for rubric_id in ("..", "../escape", "a/../../b", "/abs"):
        client.post("/rubrics", json={**stroke, "rubric_id": rubric_id})
    client.patch("/rubrics/stroke_v1", json=[{"op": "replace", "path": "/title", "value": "../../x"}])
    client.post("/rubrics/stroke_v1/approve", params={"version": "1.1.0"})
    client.post("/rubrics/stroke_v1/versions/1.1.0/archive")
    assert _files_outside(tmp_path, store_path) == before
    assert not (tmp_path.parent / "escape").exists()
    if store_settings.get("store_backend") == "s3":
        s3 = boto3.client("s3", endpoint_url=store_settings["s3_endpoint_url"], region_name="us-east-1")
        keys = [item["Key"] for item in s3.list_objects_v2(Bucket=store_settings["s3_bucket"])["Contents"]]
    else:
        keys = [p.relative_to(store_path).as_posix() for p in store_path.rglob("*") if p.is_file()]
        keys = [f"medgrade/{key}" for key in keys]
    assert sorted(keys) == sorted([
        "medgrade/rubrics/chest_pain_v1/1.0.0.json", "medgrade/rubrics/chest_pain_v1/1.0.0.approved.json",
        "medgrade/rubrics/stroke_v1/1.0.0.json", "medgrade/rubrics/stroke_v1/1.0.0.approved.json",
        "medgrade/rubrics/stroke_v1/1.1.0.json", "medgrade/rubrics/stroke_v1/1.1.0.approved.json",
        "medgrade/rubrics/stroke_v1/1.1.0.archived.json"])
