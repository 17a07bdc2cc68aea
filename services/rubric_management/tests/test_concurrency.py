"""Concurrent editors, on both stores: distinct versions or clean conflicts, never a lost update."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
from fastapi.testclient import TestClient

from medgrade_shared.models.rubric import Rubric
from rubric_management.repository import content_bytes, semver_key

EDITORS = 20


def _all_at_once(work: Callable[[int], httpx.Response], count: int = EDITORS) -> list[httpx.Response]:
    barrier = threading.Barrier(count)
    results: list[httpx.Response | None] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(result is not None for result in results)
    return [result for result in results if result is not None]


def _phrase(i: int) -> str:
    return f"concurrent phrase {i}"


def _add_phrase(client: TestClient, i: int, **headers: str) -> httpx.Response:
    ops = [{"op": "add", "path": "/key_questions/0/phrases/-", "value": _phrase(i)}]
    return client.patch("/rubrics/stroke_v1", json=ops,
                        headers={"content-type": "application/json-patch+json", **headers})


def test_simultaneous_patches_make_distinct_versions_and_lose_no_update(client: TestClient) -> None:
    responses = _all_at_once(lambda i: _add_phrase(client, i))
    # Each lost race means another editor won, so with edit_attempts >= EDITORS (32) all win.
    assert [r.status_code for r in responses] == [201] * EDITORS
    created = responses
    versions = [r.json()["version"] for r in created]
    assert len(set(versions)) == len(versions)
    assert sorted(versions, key=semver_key) == [f"1.{n}.0" for n in range(1, len(created) + 1)]
    history = client.get("/rubrics/stroke_v1/versions").json()["items"]
    assert [item["version"] for item in history] == [*sorted(versions, key=semver_key, reverse=True), "1.0.0"]
    newest = client.get("/rubrics/stroke_v1", params={"version": history[0]["version"]}).json()
    added = {phrase for phrase in newest["key_questions"][0]["phrases"] if phrase.startswith("concurrent")}
    winners = {i for i, r in enumerate(responses) if r.status_code == 201}
    assert added == {_phrase(i) for i in winners}
    for response in created:
        stored = client.get("/rubrics/stroke_v1", params={"version": response.json()["version"]})
        assert stored.content == response.content


def test_simultaneous_patches_with_the_same_if_match_have_one_winner(client: TestClient) -> None:
    etag = client.get("/rubrics/stroke_v1").headers["etag"]
    responses = _all_at_once(lambda i: _add_phrase(client, i, **{"If-Match": etag}))
    assert sorted(r.status_code for r in responses) == [201] + [412] * (EDITORS - 1)
    assert [item["version"] for item in client.get("/rubrics/stroke_v1/versions").json()["items"]] == \
        ["1.1.0", "1.0.0"]


def test_simultaneous_puts_never_overwrite_each_other(client: TestClient, stroke: dict[str, Any]) -> None:
    count = 10
    responses = _all_at_once(lambda i: client.put("/rubrics/stroke_v1", json={**stroke, "title": f"title {i}"}),
                             count)
    assert {r.status_code for r in responses} <= {201, 409}
    created = {r.json()["version"]: r.json()["title"] for r in responses if r.status_code == 201}
    assert len(created) == sum(r.status_code == 201 for r in responses)
    for version, title in created.items():
        assert client.get("/rubrics/stroke_v1", params={"version": version}).json()["title"] == title


def test_simultaneous_approvals_and_archivals_agree(client: TestClient) -> None:
    created = _add_phrase(client, 0).json()["version"]
    responses = _all_at_once(lambda i: client.post("/rubrics/stroke_v1/approve", params={"version": created}), 10)
    assert {(r.status_code, r.json()["status"]) for r in responses} == {(200, "approved")}
    archived = _all_at_once(lambda i: client.post(f"/rubrics/stroke_v1/versions/{created}/archive"), 10)
    assert {(r.status_code, r.json()["status"]) for r in archived} == {(200, "archived")}
    assert client.get("/rubrics/stroke_v1").json()["version"] == "1.0.0"


class RivalStore:
    """A store where another editor always writes the next rubric version first."""

    def __init__(self, inner: Any, rival: dict[str, Any]) -> None:
        self.inner = inner
        self.rival = rival

    def get(self, key: str) -> bytes | None:
        return self.inner.get(key)

    def put_new(self, key: str, data: bytes) -> bool:
        name = key.rsplit("/", 1)[-1]
        if key.startswith("rubrics/stroke_v1/") and name.count(".") == 3:
            version = name.removesuffix(".json")
            self.inner.put_new(key, content_bytes(Rubric.model_validate({**self.rival, "version": version})))
        return self.inner.put_new(key, data)

    def list_keys(self, prefix: str) -> list[str]:
        return self.inner.list_keys(prefix)

    def check(self) -> None:
        self.inner.check()


def test_an_editor_that_keeps_losing_gets_a_clean_409_and_overwrites_nothing(
    make_client: Callable[..., TestClient], stroke: dict[str, Any]
) -> None:
    client = make_client(edit_attempts=3)
    repository = client.app.state.repository
    repository.store = RivalStore(repository.store, {**stroke, "title": "rival"})
    response = _add_phrase(client, 0)
    assert response.status_code == 409
    assert "3 attempts" in response.json()["error"]["message"]
    history = client.get("/rubrics/stroke_v1/versions").json()["items"]
    assert [item["version"] for item in history] == ["1.3.0", "1.2.0", "1.1.0", "1.0.0"]
    for version in ("1.1.0", "1.2.0", "1.3.0"):
        assert client.get("/rubrics/stroke_v1", params={"version": version}).json()["title"] == "rival"
