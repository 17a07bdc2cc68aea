"""What every service shares: request ids and the error envelope, 500s included."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from medgrade_shared.request_context import accept_or_create_request_id
from medgrade_shared.service import create_service_app


async def _ready(_app) -> dict[str, bool]:
    return {}


def _app() -> FastAPI:
    app = create_service_app(service="demo", title="demo", lifespan=None, readiness=_ready, max_body_bytes=1 << 20)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    return app


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(_app(), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def served() -> Iterator[str]:
    """The app under a real uvicorn on a free port: keep-alive is the server's business."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(_app(), host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)


def test_a_500_keeps_the_callers_request_id_in_the_envelope_and_the_header(client):
    response = client.get("/boom", headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "req-500"
    assert response.json()["error"] == {"code": "internal_error", "details": None, "request_id": "req-500",
                                        "message": "An unexpected error occurred; it has been logged."}


def test_a_500_without_a_request_id_gets_a_new_one(client):
    response = client.get("/boom")
    assert response.status_code == 500
    assert response.json()["error"]["request_id"] == response.headers["x-request-id"]


def test_a_500_is_counted(client):
    assert client.get("/boom").status_code == 500
    metrics = client.get("/metrics").text
    assert 'medgrade_http_requests_total{method="GET",route="/boom",service="demo",status="500"} 1.0' in metrics


def test_after_a_500_the_same_keep_alive_connection_serves_the_next_request(served):
    """The error used to reach uvicorn after the response, which then reset the connection."""
    with httpx.Client(base_url=served, limits=httpx.Limits(max_connections=1)) as http:
        for _ in range(2):
            assert http.get("/boom").status_code == 500
            assert http.get("/health").status_code == 200


@pytest.mark.parametrize("incoming", ["req-1\n", "req 1", "", "x" * 65, None])
def test_unsafe_request_ids_are_replaced(incoming):
    request_id = accept_or_create_request_id(incoming)
    assert request_id != incoming and len(request_id) == 32


def test_safe_request_ids_are_kept():
    assert accept_or_create_request_id("req-1.a_b") == "req-1.a_b"
