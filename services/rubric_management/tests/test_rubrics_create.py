"""POST /rubrics: versions are immutable, re-submitting the same content is idempotent, a
requested status is applied (approved through the QA gate)."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient


def test_create_returns_201_with_the_rubric_etag_and_location(
    empty_client: TestClient, stroke: dict[str, Any]
) -> None:
    response = empty_client.post("/rubrics", json={**stroke, "version": "1.1.0"})
    assert response.status_code == 201
    assert response.headers["location"] == "/rubrics/stroke_v1?version=1.1.0"
    fetched = empty_client.get("/rubrics/stroke_v1", params={"version": "1.1.0"})
    assert fetched.content == response.content
    assert fetched.headers["etag"] == response.headers["etag"]
    assert response.json()["key_questions"] == stroke["key_questions"]


def test_version_defaults_to_1_0_0_and_status_to_draft(empty_client: TestClient, stroke: dict[str, Any]) -> None:
    body = {key: value for key, value in stroke.items() if key not in ("version", "status")}
    response = empty_client.post("/rubrics", json=body)
    assert response.status_code == 201
    assert (response.json()["version"], response.json()["status"]) == ("1.0.0", "draft")
    assert empty_client.get("/rubrics/stroke_v1/versions").json()["items"] == [{"version": "1.0.0",
                                                                                 "status": "draft"}]


def test_identical_content_is_200_and_other_content_is_409(empty_client: TestClient, stroke: dict[str, Any]) -> None:
    first = empty_client.post("/rubrics", json=stroke)
    assert first.status_code == 201
    # Key order does not matter: storage is canonical JSON.
    again = empty_client.post("/rubrics", json=dict(reversed(list(stroke.items()))))
    assert again.status_code == 200
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]

    conflict = empty_client.post("/rubrics", json={**stroke, "title": "Something else"})
    assert conflict.status_code == 409
    error = conflict.json()["error"]
    assert error["code"] == "conflict"
    assert error["details"] == {"rubric_id": "stroke_v1", "version": "1.0.0"}
    assert empty_client.get("/rubrics/stroke_v1").json()["title"] == stroke["title"]


def test_identical_content_with_a_further_status_moves_it_forward_never_back(
    empty_client: TestClient, stroke: dict[str, Any]
) -> None:
    assert empty_client.post("/rubrics", json={**stroke, "status": "draft"}).json()["status"] == "draft"
    approved = empty_client.post("/rubrics", json=stroke)
    assert (approved.status_code, approved.json()["status"]) == (200, "approved")
    back = empty_client.post("/rubrics", json={**stroke, "status": "draft"})
    assert (back.status_code, back.json()["status"]) == (200, "approved")


def test_creating_an_approved_version_that_fails_qa_stores_nothing(
    empty_client: TestClient, stroke: dict[str, Any]
) -> None:
    weights = {**stroke["weights"], "structure": 0.5}
    response = empty_client.post("/rubrics", json={**stroke, "weights": weights})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "qa_failed"
    assert [finding["check"] for finding in error["details"]["errors"]] == ["weights"]
    assert empty_client.get("/rubrics").json()["total"] == 0
    draft = empty_client.post("/rubrics", json={**stroke, "weights": weights, "status": "draft"})
    assert draft.status_code == 201


def test_a_seed_does_not_replace_a_stored_version_with_other_content(
    make_client: Any, stroke: dict[str, Any]
) -> None:
    first = make_client(seed_examples=False)
    assert first.post("/rubrics", json={**stroke, "title": "Local edit"}).status_code == 201
    seeded = make_client()
    assert seeded.get("/rubrics/stroke_v1").json()["title"] == "Local edit"
    assert seeded.get("/rubrics/chest_pain_v1").status_code == 200


def test_restarting_with_seeds_already_stored_keeps_them_unchanged(make_client: Any) -> None:
    first = make_client()
    store = first.app.state.repository.store
    before = {key: store.get(key) for key in store.list_keys("rubrics")}
    again = make_client()
    assert {key: store.get(key) for key in store.list_keys("rubrics")} == before
    assert again.get("/rubrics").json()["items"][1]["versions"] == 1


def test_an_invalid_rubric_is_a_422_envelope(empty_client: TestClient, stroke: dict[str, Any]) -> None:
    response = empty_client.post("/rubrics", json={**stroke, "version": "1.0"})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["loc"] == ["body", "version"]
    assert empty_client.get("/rubrics").json()["total"] == 0


def test_a_pattern_re2_cannot_compile_is_refused(empty_client: TestClient, stroke: dict[str, Any]) -> None:
    reasoning = {**stroke["reasoning"]}
    reasoning["required_links"] = [*reasoning["required_links"][:1],
                                   {"id": "backref", "pattern": r"(a)\1", "major": False}]
    response = empty_client.post("/rubrics", json={**stroke, "reasoning": reasoning, "status": "draft"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert [problem["loc"] for problem in error["details"]] == [["reasoning", "required_links", 1, "pattern"]]
    assert empty_client.get("/rubrics").json()["total"] == 0


def test_a_body_that_is_not_json_is_a_422_and_another_media_type_a_415(empty_client: TestClient) -> None:
    broken = empty_client.post("/rubrics", content=b'{"rubric_id": ', headers={"content-type": "application/json"})
    assert broken.status_code == 422
    assert "not valid JSON" in broken.json()["error"]["message"]
    form = empty_client.post("/rubrics", data={"rubric_id": "x"})
    assert form.status_code == 415
    assert form.json()["error"]["code"] == "unsupported_media_type"
    not_an_object = empty_client.post("/rubrics", json=["rubric_id"])
    assert not_an_object.status_code == 422


def test_seeding_approves_an_example_stored_before_status_markers(make_client: Any, stroke: dict[str, Any]) -> None:
    """Earlier versions of the service stored the status inside the content object."""
    first = make_client(seed_examples=False)
    legacy = json.dumps(stroke, sort_keys=True, separators=(",", ":")).encode()
    assert b'"status":"approved"' in legacy
    assert first.app.state.repository.store.put_new("rubrics/stroke_v1/1.0.0.json", legacy)
    assert first.get("/rubrics/stroke_v1").status_code == 404
    seeded = make_client()
    response = seeded.get("/rubrics/stroke_v1")
    assert (response.status_code, response.json()["status"]) == (200, "approved")
    assert seeded.app.state.repository.store.get("rubrics/stroke_v1/1.0.0.json") == legacy
