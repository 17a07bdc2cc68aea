"""Hostile rubric ids are refused before any store access and nothing is written anywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient


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


def _snapshot(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


@pytest.fixture
def recording(client: TestClient) -> RecordingStore:
    repository = client.app.state.repository
    repository.store = RecordingStore(repository.store)
    return repository.store


REFUSED_BY_PATTERN = ["%2E%2E", "..%00", "*", "a%00b", "a" * 65, "Stroke_v1", "stroke v1", "-stroke", "stroke_"]
NOT_ROUTED = ["a%2Fb", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fsecret", ".."]


@pytest.mark.parametrize("rubric_id", REFUSED_BY_PATTERN)
def test_ids_outside_the_safe_pattern_are_a_422_without_store_access(
    client: TestClient, recording: RecordingStore, rubric_id: str
) -> None:
    response = client.get(f"/rubrics/{rubric_id}")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    assert response.json()["error"]["details"][0]["loc"] == ["path", "rubric_id"]
    assert recording.calls == []


@pytest.mark.parametrize("rubric_id", NOT_ROUTED)
def test_ids_with_slashes_or_dot_segments_match_no_route(
    client: TestClient, recording: RecordingStore, rubric_id: str
) -> None:
    response = client.get(f"/rubrics/{rubric_id}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert recording.calls == []


@pytest.mark.parametrize("rubric_id", ["../escape", "a/b", "*", "A", "a" * 65, "x\u0000y"])
def test_posting_a_rubric_with_a_hostile_id_writes_nothing(
    client: TestClient, recording: RecordingStore, stroke: dict[str, Any], tmp_path: Path, rubric_id: str
) -> None:
    before = _snapshot(tmp_path)
    response = client.post("/rubrics", json={**stroke, "rubric_id": rubric_id})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["loc"] == ["body", "rubric_id"]
    assert recording.calls == []
    assert _snapshot(tmp_path) == before
    assert not (tmp_path.parent / "escape").exists()
