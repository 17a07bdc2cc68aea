"""Every service bounds what one request costs: its body (413 with the envelope, never read
whole) and its time (the caller's deadline, sent as X-MedGrade-Deadline-Ms, stops the work)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Annotated

import httpx
import pytest
from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry

from medgrade_shared import deadline
from medgrade_shared.http_client import DownstreamError, ServiceClient, make_async_client
from medgrade_shared.metrics import DownstreamMetrics
from medgrade_shared.service import create_service_app
from medgrade_shared.settings import DownstreamSettings

LIMIT = 4096


async def _ready(_app) -> dict[str, bool]:
    return {}


def _app() -> FastAPI:
    app = create_service_app(service="demo", title="demo", lifespan=None, readiness=_ready, max_body_bytes=LIMIT)

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    @app.post("/work")
    def work() -> dict[str, float | None]:
        """Sync, so it runs in a worker thread: the deadline must reach it there."""
        left = deadline.remaining()
        time.sleep(0.05)
        deadline.check("work")
        return {"left": left}

    return app


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(_app()) as test_client:
        yield test_client


def _assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "payload_too_large" and error["details"] == {"limit_bytes": LIMIT}
    assert str(LIMIT) in error["message"] and error["request_id"] == response.headers["X-Request-ID"]


def test_a_body_at_the_limit_is_read(client):
    assert client.post("/echo", content=b"x" * LIMIT).json() == {"bytes": LIMIT}


def test_a_declared_body_over_the_limit_is_413(client):
    _assert_too_large(client.post("/echo", content=b"x" * (LIMIT + 1)))


def test_a_chunked_body_over_the_limit_is_413_without_being_read_whole():
    """Straight through ASGI: 1 MB in 1,000 chunks without a Content-Length; the reads stop
    just past the limit."""
    pulled = 0
    sent: list[dict] = []

    async def receive() -> dict:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * 1000, "more_body": pulled < 1000}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/echo", "raw_path": b"/echo", "query_string": b"", "root_path": "",
             "headers": [(b"content-type", b"application/octet-stream")], "client": ("t", 1), "server": ("t", 80)}
    asyncio.run(_app()(scope, receive, send))
    assert sent[0]["status"] == 413
    assert pulled == LIMIT // 1000 + 1


def test_a_body_over_the_limit_through_fastapi_form_parsing_is_413_not_400():
    app = _app()

    @app.post("/form")
    def form(text: Annotated[str, Form()]) -> dict[str, int]:
        return {"chars": len(text)}

    with TestClient(app) as test_client:
        _assert_too_large(test_client.post("/form", data={"text": "x" * (LIMIT * 2)}))
        assert test_client.post("/form", data={"text": "short"}).json() == {"chars": 5}


def test_a_multipart_upload_may_add_its_framing_to_the_limit():
    app = _app()

    @app.post("/upload")
    def upload(file: Annotated[UploadFile, File()]) -> dict[str, int]:
        return {"bytes": len(file.file.read())}

    with TestClient(app) as test_client:
        assert test_client.post("/upload", files={"file": ("f", b"x" * LIMIT)}).json() == {"bytes": LIMIT}
        _assert_too_large(test_client.post("/upload", files={"file": ("f", b"x" * (LIMIT + 20_000))}))


def test_the_callers_deadline_reaches_the_work_in_its_thread(client):
    left = client.post("/work", headers={deadline.DEADLINE_HEADER: "5000"}).json()["left"]
    assert 4.0 < left <= 5.0
    assert client.post("/work").json() == {"left": None}


def test_work_past_the_deadline_stops_with_504_and_the_envelope(client):
    response = client.post("/work", headers={deadline.DEADLINE_HEADER: "20"})
    assert response.status_code == 504
    error = response.json()["error"]
    assert error["code"] == "deadline_exceeded" and error["details"] == {"stage": "work"}
    assert error["request_id"]


def test_a_request_arriving_with_no_time_left_is_504_at_once(client):
    response = client.post("/echo", headers={deadline.DEADLINE_HEADER: "0"}, content=b"{}")
    assert response.status_code == 504 and response.json()["error"]["details"] == {"stage": "arrival"}


@pytest.mark.parametrize("value", ["abc", "-5", "1.5", "9" * 20, "\u0661\u0662"])
def test_a_malformed_deadline_header_is_ignored(client, value):
    assert client.post("/work", headers={deadline.DEADLINE_HEADER: value.encode()}).json() == {"left": None}


def test_an_inner_deadline_never_extends_the_outer_one():
    with deadline.deadline_scope(1.0), deadline.deadline_scope(60.0):
        assert deadline.remaining() <= 1.0
    assert deadline.remaining() is None


# -- the client: the deadline goes with every attempt; a read timeout of a POST is retried only with time left


def _call(method: str, failures: list[type[httpx.TimeoutException]], budget_s: float | None,
          read_timeout_s: float = 1.0) -> tuple[list[httpx.Request], object]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if failures:
            raise failures.pop(0)("slow", request=request)
        return httpx.Response(200, json={"ok": True})

    async def call():
        settings = DownstreamSettings(retry_attempts=3, retry_backoff_max_s=0.01, read_timeout_s=read_timeout_s)
        client = make_async_client("http://svc", settings, httpx.MockTransport(handler))
        service = ServiceClient("scoring", client, settings, DownstreamMetrics(CollectorRegistry()))
        try:
            with deadline.deadline_scope(budget_s):
                return await service.request_json(method, "/x", body=b"{}" if method == "POST" else None)
        except DownstreamError as exc:
            return exc
        finally:
            await client.aclose()

    return seen, asyncio.run(call())


def test_every_attempt_sends_the_time_left():
    seen, result = _call("POST", [httpx.ConnectTimeout], budget_s=20.0, read_timeout_s=30.0)
    assert result == {"ok": True}
    left = [int(request.headers[deadline.DEADLINE_HEADER]) for request in seen]
    assert len(left) == 2 and 19_000 < left[1] <= left[0] <= 20_000


def test_an_attempt_sends_no_more_time_than_its_read_timeout():
    """The caller stops waiting for an attempt at its read timeout (and may send it again): the
    service must not work on past it."""
    seen, result = _call("POST", [httpx.ReadTimeout], budget_s=25.0, read_timeout_s=10.0)
    assert result == {"ok": True}
    left = [int(request.headers[deadline.DEADLINE_HEADER]) for request in seen]
    assert left[0] == 10_000 and left[1] == 10_000


def test_no_deadline_header_without_a_deadline():
    seen, _ = _call("GET", [], budget_s=None)
    assert deadline.DEADLINE_HEADER not in seen[0].headers


def test_a_post_that_timed_out_reading_is_not_sent_again_when_the_deadline_leaves_no_whole_attempt():
    seen, result = _call("POST", [httpx.ReadTimeout], budget_s=5.0, read_timeout_s=10.0)
    assert len(seen) == 1 and isinstance(result, DownstreamError) and result.reason == "timeout"


def test_a_post_that_timed_out_reading_is_not_sent_again_without_a_deadline():
    seen, result = _call("POST", [httpx.ReadTimeout], budget_s=None)
    assert len(seen) == 1 and isinstance(result, DownstreamError)


def test_a_post_that_timed_out_reading_is_retried_while_a_whole_attempt_fits():
    seen, result = _call("POST", [httpx.ReadTimeout], budget_s=25.0, read_timeout_s=10.0)
    assert len(seen) == 2 and result == {"ok": True}


def test_a_get_that_timed_out_reading_and_a_connect_timeout_are_retried():
    assert len(_call("GET", [httpx.ReadTimeout], budget_s=5.0, read_timeout_s=10.0)[0]) == 2
    seen, result = _call("POST", [httpx.ConnectTimeout, httpx.PoolTimeout], budget_s=1.0, read_timeout_s=10.0)
    assert len(seen) == 3 and result == {"ok": True}
