"""POST /rubrics: versions are immutable, re-submitting the same content is idempotent."""

from __future__ import annotations

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


def test_version_defaults_to_1_0_0(empty_client: TestClient, stroke: dict[str, Any]) -> None:
    body = {key: value for key, value in stroke.items() if key != "version"}
    response = empty_client.post("/rubrics", json=body)
    assert response.status_code == 201
    assert response.json()["version"] == "1.0.0"


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


def test_a_seed_does_not_replace_a_stored_version_with_other_content(
    make_client: Any, stroke: dict[str, Any]
) -> None:
    first = make_client(seed_examples=False)
    assert first.post("/rubrics", json={**stroke, "title": "Local edit"}).status_code == 201
    seeded = make_client()
    assert seeded.get("/rubrics/stroke_v1").json()["title"] == "Local edit"
    assert seeded.get("/rubrics/chest_pain_v1").status_code == 200


def test_restarting_with_seeds_already_stored_keeps_them_unchanged(make_client: Any, store_path) -> None:
    make_client()
    stored = (store_path / "rubrics" / "stroke_v1" / "1.0.0.json").read_bytes()
    again = make_client()
    assert again.get("/rubrics/stroke_v1").content == stored
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
    response = empty_client.post("/rubrics", json={**stroke, "reasoning": reasoning})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert [problem["loc"] for problem in error["details"]] == [["reasoning", "required_links", 1, "pattern"]]
    assert empty_client.get("/rubrics").json()["total"] == 0
