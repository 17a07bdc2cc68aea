"""GET /rubrics and GET /rubrics/{rubric_id}: seeding, latest, versions, listing, errors."""

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


def test_examples_are_seeded_into_the_store(client: TestClient, store_path) -> None:
    assert (store_path / "rubrics" / "stroke_v1" / "1.0.0.json").is_file()
    assert (store_path / "rubrics" / "chest_pain_v1" / "1.0.0.json").is_file()
    response = client.get("/rubrics/stroke_v1")
    assert response.status_code == 200
    rubric = Rubric.model_validate(response.json())
    assert (rubric.rubric_id, rubric.version, rubric.status) == ("stroke_v1", "1.0.0", "approved")
    assert rubric.key_questions[0].anchor == "Q.onset_time"


def test_seeding_can_be_switched_off(empty_client: TestClient) -> None:
    assert empty_client.get("/rubrics").json()["total"] == 0


def test_response_is_the_stored_canonical_bytes_with_their_hash_as_etag(client: TestClient, store_path) -> None:
    stored = (store_path / "rubrics" / "chest_pain_v1" / "1.0.0.json").read_bytes()
    response = client.get("/rubrics/chest_pain_v1", params={"version": "1.0.0"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == stored
    assert response.headers["etag"] == f'"{hashlib.sha256(stored).hexdigest()}"'
    assert json.dumps(json.loads(stored), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode() == stored


def test_latest_is_the_highest_approved_version(client: TestClient, stroke: dict[str, Any]) -> None:
    for version, status in [("1.2.0", "approved"), ("1.10.0", "approved"), ("2.0.0", "draft")]:
        assert client.post("/rubrics", json=_version(stroke, version, status)).status_code == 201
    assert client.get("/rubrics/stroke_v1").json()["version"] == "1.10.0"
    assert client.get("/rubrics/stroke_v1", params={"version": "2.0.0"}).json()["status"] == "draft"


def test_latest_falls_back_to_the_highest_version_when_none_is_approved(
    empty_client: TestClient, stroke: dict[str, Any]
) -> None:
    for version, status in [("1.0.0", "draft"), ("1.9.0", "archived"), ("1.10.0", "draft")]:
        assert empty_client.post("/rubrics", json=_version(stroke, version, status)).status_code == 201
    assert empty_client.get("/rubrics/stroke_v1").json()["version"] == "1.10.0"


def test_unknown_rubric_or_version_is_a_404_envelope(client: TestClient) -> None:
    missing = client.get("/rubrics/no_such_rubric")
    assert missing.status_code == 404
    _assert_envelope(missing.json(), "not_found")
    missing_version = client.get("/rubrics/stroke_v1", params={"version": "9.9.9"})
    assert missing_version.status_code == 404
    _assert_envelope(missing_version.json(), "not_found")
    assert "9.9.9" in missing_version.json()["error"]["message"]


@pytest.mark.parametrize("version", ["1.0", "v1.0.0", "01.0.0", "1.0.0-beta", "../1.0.0", ""])
def test_malformed_version_is_a_422_envelope(client: TestClient, version: str) -> None:
    response = client.get("/rubrics/stroke_v1", params={"version": version})
    assert response.status_code == 422
    _assert_envelope(response.json(), "invalid_request")
    assert response.json()["error"]["details"][0]["loc"] == ["query", "version"]


def test_list_reports_latest_version_status_and_version_count(client: TestClient, stroke: dict[str, Any]) -> None:
    assert client.post("/rubrics", json=_version(stroke, "1.1.0", "draft")).status_code == 201
    body = client.get("/rubrics").json()
    assert body["total"] == 2
    assert body["items"] == [
        {"rubric_id": "chest_pain_v1", "title": "Acute chest pain: focused history", "latest_version": "1.0.0",
         "status": "approved", "versions": 1},
        {"rubric_id": "stroke_v1", "title": "Acute stroke: focused history", "latest_version": "1.0.0",
         "status": "approved", "versions": 2},
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
