from __future__ import annotations

import asyncio

import httpx
import pytest
from prometheus_client import CollectorRegistry

from medgrade_shared.http_client import DownstreamError, ServiceClient, make_async_client
from medgrade_shared.metrics import DownstreamMetrics
from medgrade_shared.request_context import request_id_var
from medgrade_shared.settings import DownstreamSettings


def run(statuses: list[int]) -> tuple[list[httpx.Request], object]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        status = statuses.pop(0) if statuses else 200
        if status == 0:
            raise httpx.ConnectTimeout("slow", request=request)
        return httpx.Response(status, json={"ok": status == 200, "error": {"message": f"status {status}"}})

    async def call():
        settings = DownstreamSettings(retry_attempts=3, retry_backoff_max_s=0.01)
        client = make_async_client("http://svc", settings, httpx.MockTransport(handler))
        service = ServiceClient("scoring", client, settings, DownstreamMetrics(CollectorRegistry()))
        request_id_var.set("req-123")
        try:
            return await service.request_json("POST", "/x", body=b"{}")
        except DownstreamError as exc:
            return exc
        finally:
            await client.aclose()

    return seen, asyncio.run(call())


def test_transient_failures_are_retried():
    seen, result = run([0, 503, 200])
    assert len(seen) == 3 and result["ok"] is True


def test_gives_up_after_the_configured_attempts_with_the_last_error():
    seen, result = run([502, 504, 503, 200])
    assert len(seen) == 3
    assert isinstance(result, DownstreamError) and result.status_code == 503 and result.target == "scoring"


@pytest.mark.parametrize("status", [400, 404, 409, 422, 500])
def test_client_errors_and_plain_500_are_not_retried(status):
    seen, result = run([status])
    assert len(seen) == 1 and isinstance(result, DownstreamError) and result.status_code == status


def test_request_id_is_propagated():
    seen, _ = run([200])
    assert seen[0].headers["X-Request-ID"] == "req-123"
