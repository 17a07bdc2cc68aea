"""PUT and PATCH: every edit makes the next minor version, a draft, from the latest version;
stored versions never change; If-Match guards against stale edits."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

JSON_PATCH = {"content-type": "application/json-patch+json"}


def _patch(client: TestClient, ops: list[dict[str, Any]], rubric_id: str = "stroke_v1",
           **headers: str) -> Any:
    return client.patch(f"/rubrics/{rubric_id}", json=ops, headers={**JSON_PATCH, **headers})


def _latest_etag(client: TestClient, rubric_id: str = "stroke_v1") -> str:
    latest = client.get(f"/rubrics/{rubric_id}/versions").json()["items"][0]["version"]
    etag: str = client.get(f"/rubrics/{rubric_id}", params={"version": latest}).headers["etag"]
    return etag


def test_patch_makes_the_next_minor_version_as_a_draft(client: TestClient) -> None:
    original = client.get("/rubrics/stroke_v1")
    response = _patch(client, [{"op": "replace", "path": "/title", "value": "Stroke, revised"}])
    assert response.status_code == 201
    assert response.headers["location"] == "/rubrics/stroke_v1?version=1.1.0"
    body = response.json()
    assert (body["version"], body["status"], body["title"]) == ("1.1.0", "draft", "Stroke, revised")
    assert {k: v for k, v in body.items() if k not in ("version", "status", "title")} == \
        {k: v for k, v in original.json().items() if k not in ("version", "status", "title")}
    # The approved version is untouched and still what graders get.
    again = client.get("/rubrics/stroke_v1")
    assert again.content == original.content
    assert again.headers["etag"] == original.headers["etag"]


def test_every_edit_bumps_the_minor_version_of_the_latest_version_of_any_status(
    client: TestClient, stroke: dict[str, Any]
) -> None:
    assert client.post("/rubrics", json={**stroke, "version": "1.4.2", "status": "draft"}).status_code == 201
    first = _patch(client, [{"op": "replace", "path": "/key_questions/0/critical", "value": False}])
    assert first.json()["version"] == "1.5.0"
    second = client.put("/rubrics/stroke_v1", json={**stroke, "version": "1.5.0", "status": "draft"})
    assert (second.status_code, second.json()["version"]) == (201, "1.6.0")
    assert [item["version"] for item in client.get("/rubrics/stroke_v1/versions").json()["items"]] == \
        ["1.6.0", "1.5.0", "1.4.2", "1.0.0"]


def test_put_replaces_the_whole_rubric_and_may_leave_out_managed_fields(
    client: TestClient, stroke: dict[str, Any]
) -> None:
    body = {key: value for key, value in stroke.items() if key not in ("version", "status")}
    body["key_questions"] = body["key_questions"][:3]
    response = client.put("/rubrics/stroke_v1", json=body)
    assert response.status_code == 201
    assert (response.json()["version"], response.json()["status"]) == ("1.1.0", "draft")
    assert [q["id"] for q in response.json()["key_questions"]] == [q["id"] for q in stroke["key_questions"][:3]]
    assert len(client.get("/rubrics/stroke_v1").json()["key_questions"]) == len(stroke["key_questions"])


@pytest.mark.parametrize(("path", "value"), [("/rubric_id", "other_v1"), ("/version", "9.0.0"),
                                             ("/status", "draft")])
def test_a_patch_cannot_change_managed_fields(client: TestClient, path: str, value: str) -> None:
    response = _patch(client, [{"op": "replace", "path": path, "value": value}])
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["loc"] == ["body", path.lstrip("/")]
    assert len(client.get("/rubrics/stroke_v1/versions").json()["items"]) == 1


@pytest.mark.parametrize("field", ["rubric_id", "version", "status"])
def test_a_put_cannot_change_managed_fields(client: TestClient, stroke: dict[str, Any], field: str) -> None:
    changed = {"rubric_id": "other_v1", "version": "2.0.0", "status": "draft"}[field]
    response = client.put("/rubrics/stroke_v1", json={**stroke, field: changed})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["loc"] == ["body", field]
    assert client.get("/rubrics/other_v1").status_code == 404


def test_a_put_of_a_body_read_before_the_latest_edit_is_a_409(client: TestClient, stroke: dict[str, Any]) -> None:
    assert client.put("/rubrics/stroke_v1", json={**stroke, "title": "first"}).status_code == 201
    stale = client.put("/rubrics/stroke_v1", json={**stroke, "title": "second"})
    assert stale.status_code == 409
    assert stale.json()["error"]["details"]["latest_version"] == "1.1.0"
    assert client.get("/rubrics/stroke_v1", params={"version": "1.1.0"}).json()["title"] == "first"


def test_removing_a_managed_field_is_refused(client: TestClient) -> None:
    response = _patch(client, [{"op": "remove", "path": "/version"}])
    assert response.status_code == 422


def test_editing_an_unknown_rubric_is_a_404(client: TestClient, stroke: dict[str, Any]) -> None:
    assert _patch(client, [], rubric_id="nope").status_code == 404
    assert client.put("/rubrics/nope", json={**stroke, "rubric_id": "nope"}).status_code == 404


def test_plain_json_media_type_is_accepted_for_patch_and_others_are_415(client: TestClient) -> None:
    ops = [{"op": "replace", "path": "/title", "value": "x"}]
    assert client.patch("/rubrics/stroke_v1", json=ops).status_code == 201
    other = client.patch("/rubrics/stroke_v1", content=b"[]", headers={"content-type": "text/plain"})
    assert other.status_code == 415
    assert set(other.json()["error"]["details"]["accepted"]) == {"application/json-patch+json", "application/json"}


def test_if_match_with_the_latest_etag_succeeds_and_a_stale_one_is_412(client: TestClient) -> None:
    etag = _latest_etag(client)
    ops = [{"op": "replace", "path": "/title", "value": "first"}]
    first = _patch(client, ops, **{"If-Match": etag})
    assert first.status_code == 201
    stale = _patch(client, [{"op": "replace", "path": "/title", "value": "second"}], **{"If-Match": etag})
    assert stale.status_code == 412
    error = stale.json()["error"]
    assert error["code"] == "precondition_failed"
    assert error["details"] == {"latest_version": "1.1.0", "etag": first.headers["etag"]}
    assert client.get("/rubrics/stroke_v1", params={"version": "1.1.0"}).json()["title"] == "first"
    fresh = _patch(client, [{"op": "replace", "path": "/title", "value": "second"}],
                   **{"If-Match": f'"other", {first.headers["etag"]}'})
    assert (fresh.status_code, fresh.json()["version"]) == (201, "1.2.0")


def test_if_match_guards_put_too_and_star_matches_any(client: TestClient, stroke: dict[str, Any]) -> None:
    stale = client.put("/rubrics/stroke_v1", json=stroke, headers={"If-Match": '"not-the-etag"'})
    assert stale.status_code == 412
    weak = client.put("/rubrics/stroke_v1", json=stroke, headers={"If-Match": f"W/{_latest_etag(client)}"})
    assert weak.status_code == 412
    assert client.put("/rubrics/stroke_v1", json=stroke, headers={"If-Match": "*"}).status_code == 201


def test_an_approval_changes_the_etag_so_an_edit_based_on_the_draft_is_stale(client: TestClient) -> None:
    draft = _patch(client, [{"op": "replace", "path": "/title", "value": "draft"}])
    assert client.post("/rubrics/stroke_v1/approve", params={"version": "1.1.0"}).status_code == 200
    stale = _patch(client, [{"op": "replace", "path": "/title", "value": "x"}], **{"If-Match": draft.headers["etag"]})
    assert stale.status_code == 412


def test_an_approved_version_can_be_edited_into_a_new_draft_but_never_changes(client: TestClient) -> None:
    before = client.app.state.repository.store.get("rubrics/stroke_v1/1.0.0.json")
    _patch(client, [{"op": "add", "path": "/key_questions/0/phrases/-", "value": "onset time"}])
    assert client.app.state.repository.store.get("rubrics/stroke_v1/1.0.0.json") == before
    assert "onset time" not in client.get("/rubrics/stroke_v1").json()["key_questions"][0]["phrases"]
    newest = client.get("/rubrics/stroke_v1", params={"version": "1.1.0"}).json()
    assert newest["key_questions"][0]["phrases"][-1] == "onset time"


@pytest.mark.parametrize("ops", [
    [{"op": "replace", "path": "title", "value": "no leading slash"}],
    [{"op": "replace", "path": "/key_questions/99/label", "value": "out of range"}],
    [{"op": "remove", "path": "/no_such_field"}],
    [{"op": "move", "from": "/nope", "path": "/title"}],
    [{"op": "frobnicate", "path": "/title"}],
    [{"path": "/title", "value": "no op"}],
    [{"op": "add", "value": "no path"}],
    [{"op": "replace", "path": "/key_questions/abc/label", "value": "not an index"}],
    [{"op": "replace", "path": "/weights/structure", "value": "heavy"}],
    [{"op": "replace", "path": "/key_questions", "value": {"not": "a list"}}],
    [{"op": "replace", "path": "", "value": ["not", "an", "object"]}],
    ["not an operation"],
    {"op": "replace", "path": "/title", "value": "not an array"},
])
def test_invalid_patches_are_a_422_and_store_nothing(client: TestClient, ops: Any) -> None:
    response = _patch(client, ops)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_request"
    assert len(client.get("/rubrics/stroke_v1/versions").json()["items"]) == 1


def test_a_failed_test_operation_is_a_409(client: TestClient) -> None:
    response = _patch(client, [{"op": "test", "path": "/title", "value": "something else"},
                               {"op": "replace", "path": "/title", "value": "x"}])
    assert response.status_code == 409
    assert response.json()["error"]["details"] == {"operation": 0}
    ok = _patch(client, [{"op": "test", "path": "/version", "value": "1.0.0"},
                         {"op": "replace", "path": "/title", "value": "x"}])
    assert ok.status_code == 201


def test_copy_operations_cannot_blow_the_document_up(make_client: Any) -> None:
    client = make_client(max_body_bytes=64 * 1024)
    ops = [{"op": "copy", "from": "/key_questions", "path": "/structure/x"}]
    ops += [{"op": "copy", "from": "/structure", "path": f"/structure/y{i}"} for i in range(40)]
    response = _patch(client, ops)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_an_edit_whose_result_is_not_a_valid_rubric_is_a_422(client: TestClient) -> None:
    negative = _patch(client, [{"op": "replace", "path": "/weights/structure", "value": -1}])
    assert negative.status_code == 422
    assert negative.json()["error"]["details"][0]["loc"] == ["body", "weights", "structure"]
    backref = _patch(client, [{"op": "replace", "path": "/reasoning/required_links/0/pattern", "value": r"(a)\1"}])
    assert backref.status_code == 422
    assert backref.json()["error"]["details"][0]["loc"] == ["reasoning", "required_links", 0, "pattern"]


def test_a_draft_that_fails_qa_can_be_stored_but_not_approved(client: TestClient) -> None:
    response = _patch(client, [{"op": "replace", "path": "/weights/structure", "value": 0.9}])
    assert response.status_code == 201
    approve = client.post("/rubrics/stroke_v1/approve", params={"version": "1.1.0"})
    assert approve.status_code == 422
