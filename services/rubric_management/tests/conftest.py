from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rubric_management.core.config import RubricSettings
from rubric_management.main import create_app
from rubric_management.seeding import example_rubrics


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def make_client(store_path: Path) -> Iterator[Callable[..., TestClient]]:
    """Start the app (lifespan included) on a temporary store; every client is closed after the test."""
    clients: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        settings = RubricSettings(store_path=store_path, **overrides)
        client = TestClient(create_app(settings=settings))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


@pytest.fixture
def empty_client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(seed_examples=False)


@pytest.fixture
def stroke() -> dict[str, Any]:
    """The stroke example as a plain JSON document, to derive request bodies from."""
    rubric = next(r for r in example_rubrics() if r.rubric_id == "stroke_v1")
    document: dict[str, Any] = json.loads(rubric.model_dump_json())
    return document
