"""GET /rubrics, GET /rubrics/{rubric_id} and /versions: seeding, latest approved, listing, errors."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from medgrade_shared.models.rubric import Rubric


def _assert_envelope(body: dict[str, Any], code: str) -> None:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details", "request_id"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["error"]["request_id"]


def _version(stroke: dict[str, Any], version: str, status: str) -> dict[str, Any]:
    return {**stroke, "version": version, "status": status, "title": f"{status} {version}"}


def test_examples_are_seeded_approved(client: TestClient) -> None:
    store = client.app.state.repository.store
    assert store.get("rubrics/stroke_v1/1.0.0.json") is not None
    assert store.get("rubrics/chest_pain_v1/1.0.0.approved.json") is not None
    response = client.get("/rubrics/stroke_v1")
    assert response.status_code == 200
    rubric = Rubric.model_validate(response.json())
    assert (rubric.rubric_id, rubric.version, rubric.status) == ("stroke_v1", "1.0.0", "approved")
    assert rubric.key_questions[0].anchor == "Q.onset_time"


def test_seeding_can_be_switched_off(empty_client: TestClient) -> None:
    assert empty_client.get("/rubrics").json()["total"] == 0


def test_the_body_is_the_stored_content_plus_status_with_its_hash_as_etag(client: TestClient) -> None:
    content = client.app.state.repository.store.get("rubrics/chest_pain_v1/1.0.0.json")
    assert b'"status"' not in content
    response = client.get("/rubrics/chest_pain_v1", params={"version": "1.0.0"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {**json.loads(content), "status": "approved"}
    assert response.headers["etag"] == f'"{hashlib.sha256(response.content).hexdigest()}"'
    assert json.dumps(response.json(), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode() \
        == response.content


def test_what_the_orchestrator_reads_is_there(client: TestClient) -> None:
    for params in ({}, {"version": "1.0.0"}):
        body = client.get("/rubrics/stroke_v1", params=params).json()
        assert (body["rubric_id"], body["version"]) == ("stroke_v1", "1.0.0")
        assert body["weights"] == {"structure": 0.15, "key_questions": 0.45, "reasoning": 0.2, "summary": 0.15,
                                   "communication": 0.05}


def test_latest_is_the_highest_approved_version(client: TestClient, stroke: dict[str, Any]) -> None:
    for version, status in [("1.2.0", "approved"), ("1.10.0", "approved"), ("2.0.0", "draft")]:
        assert client.post("/rubrics", json=_version(stroke, version, status)).status_code == 201
    assert client.get("/rubrics/stroke_v1").json()["version"] == "1.10.0"
    assert client.get("/rubrics/stroke_v1", params={"version": "2.0.0"}).json()["status"] == "draft"


def test_without_an_approved_version_latest_is_a_404_naming_the_versions(
    empty_client: TestClient, stroke: dict[str, Any]
) -> None:
    for version, status in [("1.0.0", "draft"), ("1.9.0", "archived")]:
        assert empty_client.post("/rubrics", json=_version(stroke, version, status)).status_code == 201
    response = empty_client.get("/rubrics/stroke_v1")
    assert response.status_code == 404
    _assert_envelope(response.json(), "not_found")
    assert "no approved version" in response.json()["error"]["message"]
    assert response.json()["error"]["details"]["versions"] == [
        {"version": "1.9.0", "status": "archived"}, {"version": "1.0.0", "status": "draft"}]
    assert empty_client.get("/rubrics/stroke_v1", params={"version": "1.0.0"}).status_code == 200


def test_unknown_rubric_or_version_is_a_404_envelope(client: TestClient) -> None:
    missing = client.get("/rubrics/no_such_rubric")
    assert missing.status_code == 404
    _assert_envelope(missing.json(), "not_found")
    missing_version = client.get("/rubrics/stroke_v1", params={"version": "9.9.9"})
    assert missing_version.status_code == 404
    _assert_envelope(missing_version.json(), "not_found")
    assert "9.9.9" in missing_version.json()["error"]["message"]
    assert client.get("/rubrics/no_such_rubric/versions").status_code == 404


@pytest.mark.parametrize("version", ["1.0", "v1.0.0", "01.0.0", "1.0.0-beta", "../1.0.0", ""])
def test_malformed_version_is_a_422_envelope(client: TestClient, version: str) -> None:
    response = client.get("/rubrics/stroke_v1", params={"version": version})
    assert response.status_code == 422
    _assert_envelope(response.json(), "invalid_request")
    assert response.json()["error"]["details"][0]["loc"] == ["query", "version"]


def test_versions_lists_every_version_with_its_status_highest_first(
    client: TestClient, stroke: dict[str, Any]
) -> None:
    for version, status in [("1.2.0", "approved"), ("1.10.0", "archived"), ("2.0.0", "draft")]:
        client.post("/rubrics", json=_version(stroke, version, status))
    response = client.get("/rubrics/stroke_v1/versions")
    assert response.status_code == 200
    assert response.json() == {"rubric_id": "stroke_v1", "items": [
        {"version": "2.0.0", "status": "draft"}, {"version": "1.10.0", "status": "archived"},
        {"version": "1.2.0", "status": "approved"}, {"version": "1.0.0", "status": "approved"}]}


def test_list_reports_latest_and_approved_versions(client: TestClient, stroke: dict[str, Any]) -> None:
    assert client.post("/rubrics", json=_version(stroke, "1.1.0", "draft")).status_code == 201
    body = client.get("/rubrics").json()
    assert body["total"] == 2
    assert body["items"] == [
        {"rubric_id": "chest_pain_v1", "title": "Acute chest pain: focused history", "latest_version": "1.0.0",
         "status": "approved", "approved_version": "1.0.0", "versions": 1},
        {"rubric_id": "stroke_v1", "title": "draft 1.1.0", "latest_version": "1.1.0",
         "status": "draft", "approved_version": "1.0.0", "versions": 2},
    ]


def test_list_pages_with_limit_and_offset(empty_client: TestClient, stroke: dict[str, Any]) -> None:
    ids = [f"rubric_{n}" for n in range(5)]
    for rubric_id in ids:
        assert empty_client.post("/rubrics", json={**stroke, "rubric_id": rubric_id}).status_code == 201
    pages = [empty_client.get("/rubrics", params={"limit": 2, "offset": offset}).json() for offset in (0, 2, 4, 6)]
    assert [[item["rubric_id"] for item in page["items"]] for page in pages] == [ids[0:2], ids[2:4], ids[4:], []]
    assert {(page["total"], page["limit"]) for page in pages} == {(5, 2)}
    assert [page["offset"] for page in pages] == [0, 2, 4, 6]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"limit": "many"}])
def test_list_paging_out_of_bounds_is_a_422(client: TestClient, params: dict[str, Any]) -> None:
    response = client.get("/rubrics", params=params)
    assert response.status_code == 422
    _assert_envelope(response.json(), "invalid_request")


def test_an_unknown_rubric_id_names_the_closest_existing_ids(client: TestClient) -> None:
    for path in ("/rubrics/strok_v1", "/rubrics/strok_v1/versions"):
        error = client.get(path).json()["error"]
        assert error["message"].startswith("There is no rubric 'strok_v1'. The closest existing ids: stroke_v1")
        assert error["details"]["reason"] == "unknown_rubric"
        assert error["details"]["closest"][0] == "stroke_v1"


def test_a_malformed_version_says_what_a_version_looks_like(client: TestClient) -> None:
    error = client.get("/rubrics/stroke_v1", params={"version": "v1"}).json()["error"]
    assert error["message"] == ("version must be a version of three whole numbers separated by dots, "
                                "e.g. 1.2.0.")
    assert "pattern" not in error["message"]
