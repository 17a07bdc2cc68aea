"""/health, /ready and /metrics."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
from fastapi.testclient import TestClient

from medgrade_shared.s3_store import S3Store
from medgrade_shared.store import StoreError
from medgrade_shared.testing.internal_token import INTERNAL_HEADERS
from rubric_management.core.config import RubricSettings
from rubric_management.main import create_app


def test_health_checks_nothing_downstream(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok", "service": "rubric_management"}


def test_ready_when_the_store_is_usable(client: TestClient) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json()["checks"] == {"store": True}


def test_not_ready_when_the_store_check_fails(client: TestClient, monkeypatch: Any) -> None:
    def broken() -> None:
        raise StoreError("store folder is not writable")

    monkeypatch.setattr(client.app.state.repository.store, "check", broken)
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "not_ready", "service": "rubric_management", "checks": {"store": False}}


def test_metrics_count_requests_by_route_template(client: TestClient) -> None:
    client.get("/rubrics/stroke_v1")
    client.get("/rubrics/no_such_rubric")
    text = client.get("/metrics").text
    assert ('medgrade_http_requests_total{method="GET",route="/rubrics/{rubric_id}",'
            'service="rubric_management",status="200"} 1.0') in text
    assert 'route="/rubrics/{rubric_id}",service="rubric_management",status="404"} 1.0' in text
    assert "stroke_v1" not in text


def test_the_environment_chooses_the_s3_store(s3_endpoint: str, monkeypatch: Any) -> None:
    bucket = f"env-{uuid.uuid4().hex[:12]}"
    for name, value in {"STORE_BACKEND": "s3", "S3_BUCKET": bucket, "S3_PREFIX": "env",
                        "S3_ENDPOINT_URL": s3_endpoint}.items():
        monkeypatch.setenv(f"MEDGRADE_RUBRICS_{name}", value)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)
    with TestClient(headers=INTERNAL_HEADERS, app=create_app(settings=RubricSettings())) as client:
        assert isinstance(client.app.state.repository.store, S3Store)
        assert client.get("/ready").json()["checks"] == {"store": True}
        assert client.get("/rubrics/stroke_v1").json()["status"] == "approved"
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket, Prefix="env/rubrics/stroke_v1/")["Contents"]]
    assert sorted(keys) == ["env/rubrics/stroke_v1/1.0.0.approved.json", "env/rubrics/stroke_v1/1.0.0.json"]
