"""One ``httpx.AsyncClient`` per downstream service, with explicit timeouts and tenacity
retries on transient failures only (connect errors, timeouts, 502/503/504). 4xx is never
retried: it is the caller's mistake and would fail again.

A read timeout is different for a call that is not idempotent (a POST: parse, score): the
service got the request and is probably still working on it, so a second copy only doubles its
load. Such a call is retried after a read timeout only while the deadline
(:mod:`medgrade_shared.deadline`) leaves room for a whole attempt (``read_timeout_s``); every
attempt sends the time left as ``X-MedGrade-Deadline-Ms``, so the service stops at it too."""

from __future__ import annotations

import time
from typing import Any

import httpx
import orjson
from pydantic import SecretStr
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from medgrade_shared import deadline
from medgrade_shared.internal_auth import internal_headers
from medgrade_shared.metrics import DownstreamMetrics
from medgrade_shared.request_context import REQUEST_ID_HEADER, current_request_id
from medgrade_shared.settings import DownstreamSettings

TRANSIENT_STATUS = frozenset({502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})  # RFC 9110, 9.2.2
# The files of a multipart upload: form field -> (file name, content, content type).
Files = dict[str, tuple[str, bytes, str]]


class DownstreamError(Exception):
    """A downstream call that failed for good (after retries, or at once for a 4xx)."""

    def __init__(self, target: str, reason: str, status_code: int | None, message: str, body: Any = None) -> None:
        super().__init__(f"{target}: {message}")
        self.target = target
        self.reason = reason
        self.status_code = status_code
        self.message = message
        self.body = body

    @property
    def transient(self) -> bool:
        return self.status_code is None or self.status_code in TRANSIENT_STATUS


async def _add_context_headers(request: httpx.Request) -> None:
    """The request id and the time this attempt is waited for, as each attempt is sent."""
    request_id = current_request_id()
    if request_id:
        request.headers[REQUEST_ID_HEADER] = request_id
    left_ms = deadline.header_value(request.extensions.get("timeout", {}).get("read"))
    if left_ms is not None:
        request.headers[deadline.DEADLINE_HEADER] = left_ms


def make_async_client(
    base_url: str, settings: DownstreamSettings, transport: httpx.AsyncBaseTransport | None = None,
    internal_token: SecretStr | str | None = None,
) -> httpx.AsyncClient:
    """``transport`` is for tests (``httpx.MockTransport``); production uses the default.
    ``internal_token`` is sent on every request (:mod:`medgrade_shared.internal_auth`)."""
    return httpx.AsyncClient(
        base_url=base_url,
        headers=internal_headers(internal_token),
        transport=transport,
        timeout=httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s),
        limits=httpx.Limits(max_connections=settings.max_connections,
                            max_keepalive_connections=settings.max_connections),
        event_hooks={"request": [_add_context_headers]},
    )


def _error_message(response: httpx.Response) -> tuple[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}", None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("message", f"HTTP {response.status_code}")), body["error"]
    return f"HTTP {response.status_code}", body


class ServiceClient:
    """Calls one downstream service: JSON in, JSON out, retries, metrics."""

    def __init__(
        self, target: str, client: httpx.AsyncClient, settings: DownstreamSettings, metrics: DownstreamMetrics
    ) -> None:
        self.target = target
        self.client = client
        self.settings = settings
        self.metrics = metrics

    async def request_json(
        self, method: str, path: str, *, body: bytes | None = None, params: dict[str, str] | None = None
    ) -> Any:
        """Send ``body`` (already JSON-encoded) and return the decoded JSON answer."""
        return orjson.loads(await self.request_bytes(method, path, body=body, params=params))

    async def request_bytes(
        self, method: str, path: str, *, body: bytes | None = None, params: dict[str, str] | None = None,
        files: Files | None = None, data: dict[str, str] | None = None,
    ) -> bytes:
        """Send ``body`` (already JSON-encoded) and return the raw answer, retrying transient failures.

        With ``files`` (``{field: (file name, bytes, content type)}``) the request is instead a
        ``multipart/form-data`` upload of those files and the ``data`` form fields; the parts
        are bytes, so every retry sends the same body again."""
        if files is not None and body is not None:
            raise ValueError("send either a JSON body or files, not both")
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.settings.retry_attempts),
            wait=wait_random_exponential(multiplier=0.05, max=self.settings.retry_backoff_max_s),
            retry=retry_if_exception(lambda exc: self._worth_retrying(exc, method)),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._attempt(method, path, body, params, files, data)
        raise AssertionError("unreachable: tenacity reraises the last error")

    def _worth_retrying(self, exc: BaseException, method: str) -> bool:
        if not isinstance(exc, DownstreamError) or not exc.transient:
            return False
        if exc.reason == "timeout" and method.upper() not in IDEMPOTENT_METHODS:
            left = deadline.remaining()
            return left is not None and left >= self.settings.read_timeout_s
        return True

    async def _attempt(
        self, method: str, path: str, body: bytes | None, params: dict[str, str] | None,
        files: Files | None = None, data: dict[str, str] | None = None,
    ) -> bytes:
        started = time.perf_counter()
        try:
            if files is not None:  # httpx writes the multipart Content-Type, boundary included
                response = await self.client.request(method, path, files=files, data=data, params=params)
            else:
                headers = {"Content-Type": "application/json"} if body is not None else None
                response = await self.client.request(method, path, content=body, params=params, headers=headers)
        except (httpx.ConnectTimeout, httpx.PoolTimeout) as exc:  # never sent: safe to send again
            self._observe(started, "connect")
            raise DownstreamError(self.target, "unavailable", None, f"{self.target} is unreachable") from exc
        except httpx.TimeoutException as exc:  # sent: the service may still be working on it
            self._observe(started, "timeout")
            raise DownstreamError(self.target, "timeout", None, f"{self.target} timed out") from exc
        except httpx.TransportError as exc:
            self._observe(started, "connect")
            raise DownstreamError(self.target, "unavailable", None, f"{self.target} is unreachable") from exc
        if response.status_code >= 400:
            outcome = "server_error" if response.status_code >= 500 else "client_error"
            self._observe(started, outcome)
            message, error_body = _error_message(response)
            raise DownstreamError(self.target, f"http_{response.status_code}", response.status_code, message,
                                  error_body)
        self._observe(started, "ok")
        return response.content

    def _observe(self, started: float, outcome: str) -> None:
        self.metrics.latency.labels(self.target, outcome).observe(time.perf_counter() - started)
        if outcome != "ok":
            self.metrics.errors.labels(self.target, outcome).inc()
