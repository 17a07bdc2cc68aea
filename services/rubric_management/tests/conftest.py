"""Every test that builds the app runs twice: on the local-folder store and on S3 (a real moto
server on 127.0.0.1, from the shared pytest plugin)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient

from medgrade_shared.testing.internal_token import INTERNAL_HEADERS
from rubric_management.core.config import RubricSettings
from rubric_management.main import create_app
from rubric_management.seeding import example_rubrics

pytest_plugins = ["medgrade_shared.testing.moto_server", "medgrade_shared.testing.internal_token"]

BACKENDS = ["local", "s3"]


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture(params=BACKENDS)
def store_settings(request: pytest.FixtureRequest, store_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Settings of a fresh, empty store on one backend."""
    if request.param == "local":
        return {"store_path": store_path}
    endpoint = request.getfixturevalue("s3_endpoint")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    bucket = f"rubrics-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    return {"store_backend": "s3", "s3_bucket": bucket, "s3_prefix": "medgrade", "s3_endpoint_url": endpoint,
            "store_path": store_path}


@pytest.fixture
def make_client(store_settings: dict[str, Any]) -> Iterator[Callable[..., TestClient]]:
    """Start the app (lifespan included) on the test's store; every client is closed after the test."""
    clients: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        settings = RubricSettings(**{**store_settings, **overrides})
        client = TestClient(headers=INTERNAL_HEADERS, app=create_app(settings=settings))
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


@pytest.fixture
def draft(stroke: dict[str, Any]) -> dict[str, Any]:
    """The stroke example as a draft of a new rubric ``draft_v1``."""
    return {**stroke, "rubric_id": "draft_v1", "status": "draft"}
