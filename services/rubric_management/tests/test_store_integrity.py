"""What is validated is what is stored, a stored rubric always loads again, and one version
that does not load (written by an older release, or damaged) never breaks the store for the
other rubrics: it is listed as unreadable and an operator removes it with the store CLI."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from medgrade_shared.models.rubric import Rubric
from medgrade_shared.store import ObjectStore, open_store
from rubric_management import store_cli
from rubric_management.core.config import RubricSettings
from rubric_management.repository import RubricRepository, UnreadableVersion, canonical_json

JSON_PATCH = {"content-type": "application/json-patch+json"}


def _store(client: TestClient) -> ObjectStore:
    store: ObjectStore = client.app.state.repository.store
    return store


def _keys(client: TestClient, rubric_id: str) -> list[str]:
    return _store(client).list_keys(f"rubrics/{rubric_id}")


def _poisoned(stroke: dict[str, Any], rubric_id: str = "poisoned_v1") -> dict[str, Any]:
    """What an older release stored for a key question id with a space and no anchor."""
    questions = [{**stroke["key_questions"][0], "id": "onset time", "anchor": "Q.onset time"},
                 *stroke["key_questions"][1:]]
    return {**stroke, "rubric_id": rubric_id, "key_questions": questions}


def _write(client: TestClient, key: str, data: bytes) -> None:
    assert _store(client).put_new(key, data)


def test_a_key_question_id_that_cannot_make_an_anchor_is_a_422_and_nothing_is_written(
    client: TestClient, draft: dict[str, Any]
) -> None:
    question = {key: value for key, value in draft["key_questions"][0].items() if key != "anchor"}
    body = {**draft, "key_questions": [{**question, "id": "onset time"}, *draft["key_questions"][1:]]}
    checked = client.post("/rubrics/validate", json=body)
    assert checked.status_code == 422
    [finding] = checked.json()["error"]["details"]["errors"]
    assert (finding["check"], finding["loc"]) == ("schema", ["key_questions", 0])
    response = client.post("/rubrics", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    [detail] = error["details"]
    assert detail["loc"] == ["body", "key_questions", 0] and detail["msg"] == finding["message"]
    assert "'onset time' cannot be used in citations" in detail["msg"]
    assert "no spaces" in detail["msg"] and "'onset_time'" in detail["msg"]
    assert _keys(client, "draft_v1") == []
    assert client.get("/rubrics").status_code == 200


def test_an_id_with_a_space_is_accepted_with_an_explicit_anchor_and_reloads(
    client: TestClient, draft: dict[str, Any]
) -> None:
    body = {**draft, "key_questions": [{**draft["key_questions"][0], "id": "onset time", "anchor": "Q.onset"},
                                       *draft["key_questions"][1:]]}
    assert client.post("/rubrics", json=body).status_code == 201
    stored = client.get("/rubrics/draft_v1", params={"version": "1.0.0"})
    assert stored.status_code == 200
    assert stored.json()["key_questions"][0]["anchor"] == "Q.onset"


def test_a_patch_that_leaves_an_id_unable_to_make_an_anchor_is_a_422_and_makes_no_version(
    client: TestClient
) -> None:
    response = client.patch("/rubrics/stroke_v1", headers=JSON_PATCH, json=[
        {"op": "remove", "path": "/key_questions/0/anchor"},
        {"op": "replace", "path": "/key_questions/0/id", "value": "onset time"},
    ])
    assert response.status_code == 422, response.text
    assert any("onset time" in d["msg"] for d in response.json()["error"]["details"])
    assert [item["version"] for item in client.get("/rubrics/stroke_v1/versions").json()["items"]] == ["1.0.0"]
    assert client.get("/rubrics").status_code == 200


@pytest.mark.parametrize(("prefix", "where"), [("Q.", "key_questions"), ("R.", "reasoning.required_links"),
                                           ("SUM.", "summary.required_elements"),
                                           ("C.", "communication.behaviours")])
def test_default_anchors_are_validated_like_given_ones(stroke: dict[str, Any], prefix: str, where: str) -> None:
    document: Any = stroke
    *parents, field = where.split(".")
    for parent in parents:
        document = document[parent]
    item = {key: value for key, value in document[field][0].items() if key != "anchor"}
    document[field][0] = {**item, "id": "x" * 127}
    with pytest.raises(ValueError, match="cannot be used in citations"):
        Rubric.model_validate(stroke)
    document[field][0] = {**item, "id": "fine"}
    assert prefix + "fine" in Rubric.model_validate(stroke).anchors()


def test_the_repository_never_writes_content_that_would_not_load_back(client: TestClient,
                                                                     draft: dict[str, Any]) -> None:
    rubric = Rubric.model_validate(draft)
    rubric.key_questions[0].anchor = "Q.onset time"  # assignment is not validated: a buggy validator's doing
    with pytest.raises(ValueError):
        client.app.state.repository.create(rubric)
    assert _keys(client, "draft_v1") == []


def test_one_unreadable_version_is_listed_as_such_and_breaks_nothing_else(
    client: TestClient, stroke: dict[str, Any]
) -> None:
    _write(client, "rubrics/poisoned_v1/1.0.0.json", canonical_json(_poisoned(stroke)))
    _write(client, "rubrics/garbled_v1/1.0.0.json", b"\xff{not json")
    page = client.get("/rubrics")
    assert page.status_code == 200
    body = page.json()
    assert {item["rubric_id"] for item in body["items"]} == {"chest_pain_v1", "stroke_v1"}
    assert [(u["rubric_id"], u["version"]) for u in body["unreadable"]] == [("garbled_v1", "1.0.0"),
                                                                          ("poisoned_v1", "1.0.0")]
    assert "key_questions.0.anchor" in body["unreadable"][1]["problem"]
    assert body["total"] == 4
    assert client.get("/rubrics/stroke_v1").status_code == 200

    response = client.get("/rubrics/poisoned_v1", params={"version": "1.0.0"})
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "rubric_unreadable"
    assert "store_cli remove --rubric poisoned_v1 --version 1.0.0" in error["message"]
    assert error["request_id"] == response.headers["x-request-id"]


def test_a_version_stored_under_another_versions_key_is_unreadable(client: TestClient,
                                                                   stroke: dict[str, Any]) -> None:
    _write(client, "rubrics/stroke_v1/2.0.0.json", client.get("/rubrics/stroke_v1").content)
    with pytest.raises(UnreadableVersion, match=r"holds version 1\.0\.0"):
        client.app.state.repository.get("stroke_v1", "2.0.0")
    assert client.get("/rubrics").json()["unreadable"][0]["version"] == "2.0.0"


def test_seeding_skips_an_unreadable_example_and_the_service_starts(
    make_client: Any, store_settings: dict[str, Any], stroke: dict[str, Any]
) -> None:
    store = open_store(RubricSettings(**store_settings))
    assert store.put_new("rubrics/stroke_v1/1.0.0.json", b"{}")
    client = make_client()
    assert client.get("/rubrics/chest_pain_v1").status_code == 200
    assert client.get("/rubrics/stroke_v1?version=1.0.0").json()["error"]["code"] == "rubric_unreadable"


@pytest.fixture
def cli_env(store_settings: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI reads the service's settings from the environment, like the service."""
    for name, value in store_settings.items():
        monkeypatch.setenv(f"MEDGRADE_RUBRICS_{name.upper()}", str(value))


def test_the_store_cli_finds_and_removes_an_unreadable_version_and_its_markers(
    client: TestClient, stroke: dict[str, Any], cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(client, "rubrics/poisoned_v1/1.0.0.json", canonical_json(_poisoned(stroke)))
    _write(client, "rubrics/poisoned_v1/1.0.0.approved.json", b"{}")
    assert store_cli.main(["check"]) == 1
    assert capsys.readouterr().out.startswith("poisoned_v1 1.0.0: key_questions.0.anchor")

    assert store_cli.main(["remove", "--rubric", "poisoned_v1", "--version", "1.0.0"]) == 0
    assert _keys(client, "poisoned_v1") == []
    assert store_cli.main(["check"]) == 0
    assert client.get("/rubrics").json()["unreadable"] == []
    # The removed version's approval is gone with it: the same number starts again as a draft.
    recreated = client.post("/rubrics", json={**stroke, "rubric_id": "poisoned_v1", "status": "draft"})
    assert (recreated.status_code, recreated.json()["status"]) == (201, "draft")


def test_the_store_cli_never_removes_a_readable_version(
    client: TestClient, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert store_cli.main(["remove", "--rubric", "stroke_v1", "--version", "1.0.0"]) == 2
    assert "is readable" in capsys.readouterr().err
    assert store_cli.main(["remove", "--rubric", "stroke_v1", "--version", "9.0.0"]) == 2
    assert store_cli.main(["remove", "--rubric", "../etc", "--version", "1.0.0"]) == 2
    assert client.get("/rubrics/stroke_v1").status_code == 200


def test_repository_remove_unreadable_is_the_only_deletion(client: TestClient) -> None:
    repository: RubricRepository = client.app.state.repository
    with pytest.raises(ValueError):
        repository.remove_unreadable("stroke_v1", "1.0.0")
    assert repository.get("stroke_v1", "1.0.0") is not None
