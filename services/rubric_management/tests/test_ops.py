"""/health, /ready and /metrics."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from medgrade_shared.store import StoreError


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
