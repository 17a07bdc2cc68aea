"""What every MedGrade service has: the error envelope, request ids, JSON access logs,
request metrics, a request body limit, the caller's deadline, ``/health`` (shallow), ``/ready``
(the service's own dependencies) and ``/metrics``."""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medgrade_shared import deadline, errors
from medgrade_shared.errors import ApiError, DomainError
from medgrade_shared.internal_auth import InternalAuthMiddleware
from medgrade_shared.log_config import logging_config
from medgrade_shared.messages import summary, validation_details
from medgrade_shared.metrics import HttpMetrics
from medgrade_shared.models.errors import ErrorBody, ErrorEnvelope
from medgrade_shared.openapi import document_errors_as_sent
from medgrade_shared.request_context import (
    REQUEST_ID_HEADER,
    accept_or_create_request_id,
    request_id_var,
)
from medgrade_shared.settings import MULTIPART_FRAMING_BYTES, ServiceSettings
from medgrade_shared.workers import MULTIPROC_ENV, WORKER_COUNT_ENV, exposition

DOCS_ASSETS = "/docs/assets"
ReadinessCheck = Callable[[FastAPI], Awaitable[dict[str, bool]]]

access_log = logging.getLogger("medgrade.access")
error_log = logging.getLogger("medgrade.error")

_STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 409: "conflict", 412: "precondition_failed",
                 413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid_request",
                 429: "rate_limited", 500: "internal_error", 502: "bad_gateway",
                 503: "service_unavailable", 504: "gateway_timeout"}


# Each kind of domain failure and the status it is answered with, for every service.
DOMAIN_STATUS: dict[type[DomainError], int] = {
    errors.Malformed: 400, errors.NotFound: 404, errors.Conflict: 409, errors.PreconditionFailed: 412,
    errors.TooLarge: 413, errors.UnsupportedMedia: 415, errors.Invalid: 422, errors.UpstreamFailed: 502,
    errors.Unavailable: 503, errors.DeadlineExceeded: 504, errors.Damaged: 500,
}


def domain_status(exc: DomainError) -> int:
    """The HTTP status of a domain failure: that of its nearest kind in :data:`DOMAIN_STATUS`."""
    return next((DOMAIN_STATUS[kind] for kind in type(exc).__mro__ if kind in DOMAIN_STATUS), 500)


def domain_error_response(exc: DomainError) -> JSONResponse:
    headers = None if exc.retry_after_s is None else {"Retry-After": str(exc.retry_after_s)}
    return error_response(domain_status(exc), exc.code, exc.message, exc.details, headers)


def error_response(status_code: int, code: str, message: str, details: Any = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    envelope = ErrorEnvelope(error=ErrorBody(code=code, message=message, details=details,
                                             request_id=request_id_var.get()))
    return JSONResponse(envelope.model_dump(), status_code=status_code, headers=headers)


class BodyTooLarge(StarletteHTTPException):
    """Raised while the body is read, as soon as it passes the limit. An HTTPException, so that
    FastAPI's own body and form parsing passes it on instead of turning it into a 400."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than this service's limit of {limit} bytes.")
        self.limit = limit


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status_code, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(DomainError)
    async def _domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return domain_error_response(exc)

    @app.exception_handler(BodyTooLarge)
    async def _too_large(_: Request, exc: BodyTooLarge) -> JSONResponse:
        return error_response(413, "payload_too_large", exc.detail, {"limit_bytes": exc.limit})

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = validation_details(exc.errors())
        return error_response(422, "invalid_request", summary(details) or "The request is not valid.", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))


class RequestObservabilityMiddleware:
    """Pure ASGI middleware: request id in and out, one JSON access-log line, request metrics.

    It also answers unexpected errors with the 500 envelope. A handler for ``Exception`` would
    run in Starlette's outermost middleware, after this one has reset the request id and
    without the ``X-Request-ID`` header, and the error would be re-raised to the server."""

    def __init__(self, app: ASGIApp, service: str, metrics: HttpMetrics) -> None:
        self.app = app
        self.service = service
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        request_id = accept_or_create_request_id(incoming)
        token = request_id_var.set(request_id)
        status = 500
        responding = False
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status, responding
            if message["type"] == "http.response.start":
                status = message["status"]
                responding = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (REQUEST_ID_HEADER.lower().encode(), request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            if responding:
                raise  # the status line is sent: only the server can end the response now
            error_log.error("unhandled error", exc_info=exc)
            unexpected = error_response(500, "internal_error", "An unexpected error occurred; it has been logged.")
            await unexpected(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "")
            self.metrics.requests.labels(self.service, template, method, str(status)).inc()
            self.metrics.latency.labels(self.service, template, method).observe(elapsed)
            if template not in ("/health", "/metrics"):
                access_log.info("request", extra={"method": method, "route": template, "status": status,
                                                  "duration_ms": round(elapsed * 1000, 2)})
            request_id_var.reset(token)


class RequestBudgetMiddleware:
    """Pure ASGI middleware bounding what one request may cost.

    The body: past ``max_body_bytes`` (a multipart upload may add ``MULTIPART_FRAMING_BYTES``
    for its boundaries) the first read raises :class:`BodyTooLarge` (413) when
    ``Content-Length`` already says so, else the read that passes the limit does, so no more
    than the limit (and one chunk) is ever held; a route that reads no body is not affected.
    The caller's deadline (:mod:`medgrade_shared.deadline`): the work of the request runs
    within it, and a request that arrives with none left is answered 504 at once."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, large_bodies: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.large_bodies = dict(large_bodies or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        multipart = headers.get("content-type", "").lower().startswith("multipart/")
        limit = self.large_bodies.get(scope.get("path", ""), self.max_body_bytes)
        allowed = limit + (MULTIPART_FRAMING_BYTES if multipart else 0)
        declared = headers.get("content-length", "")
        refused = declared.isdigit() and int(declared) > allowed
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            if refused:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))  # what arrives: a Content-Length may understate it
                if seen > allowed:
                    raise BodyTooLarge(limit)
            return message

        with deadline.deadline_scope(deadline.seconds_from_header(headers.get(deadline.DEADLINE_HEADER))):
            left = deadline.remaining()
            if left is not None and left <= 0:
                await domain_error_response(deadline.exceeded("arrival"))(scope, receive, send)
                return
            await self.app(scope, limited_receive, send)


def create_service_app(
    *,
    service: str,
    title: str,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None,
    readiness: ReadinessCheck,
    max_body_bytes: int,
    registry: CollectorRegistry | None = None,
    internal_token: str | None = None,
    large_bodies: Mapping[str, int] | None = None,
) -> FastAPI:
    """The FastAPI app with everything every service shares; routers are added by the caller.

    ``max_body_bytes`` is the largest request body the service reads (its setting);
    ``large_bodies`` maps a path to a larger limit for it (a batch's ZIP).
    ``/docs`` (Swagger UI) and ``/redoc`` load their scripts from the service itself
    (``DOCS_ASSETS``, files of the pinned fastapi-offline package), not from a CDN: they work
    offline.

    ``internal_token`` (an internal service's: :func:`medgrade_shared.internal_auth.require_internal_token`)
    makes every route but ``/health``, ``/ready``, ``/metrics`` and the docs answer only callers
    presenting it (:class:`~medgrade_shared.internal_auth.InternalAuthMiddleware`); the 401 passes
    through the observability middleware, so it has its request id and is counted."""
    app = FastAPIOffline(title=title, lifespan=lifespan, static_url=DOCS_ASSETS)
    app.state.registry = registry or CollectorRegistry()
    app.state.http_metrics = HttpMetrics(app.state.registry)
    _install_error_handlers(app)
    document_errors_as_sent(app)
    app.add_middleware(RequestBudgetMiddleware, max_body_bytes=max_body_bytes, large_bodies=large_bodies)
    if internal_token is not None:
        app.add_middleware(InternalAuthMiddleware, token=internal_token)
    app.add_middleware(RequestObservabilityMiddleware, service=service, metrics=app.state.http_metrics)

    @app.get("/health", tags=["ops"], summary="Liveness")
    async def health() -> dict[str, str]:
        """Liveness: answers while the process serves requests; checks nothing downstream."""
        return {"status": "ok", "service": service}

    @app.get("/ready", tags=["ops"], summary="Readiness")
    async def ready() -> JSONResponse:
        """Readiness: the service's own dependencies (store, model, downstream clients)."""
        checks = await readiness(app)
        ok = all(checks.values())
        return JSONResponse({"status": "ready" if ok else "not_ready", "service": service, "checks": checks},
                            status_code=200 if ok else 503)

    @app.get("/metrics", tags=["ops"], include_in_schema=False)
    async def metrics() -> Response:
        return Response(exposition(app.state.registry), media_type=CONTENT_TYPE_LATEST)

    return app


def serve(service: str, factory: str, settings: ServiceSettings, workers: int = 1) -> None:
    """Run one service's app factory (``"package.main:create_app"``) under uvicorn, with the
    JSON logs (in every process) and uvicorn's own access log off (the middleware writes one).

    With ``workers`` > 1, uvicorn runs that many worker processes on the one port; their metrics
    are collected through a fresh multiprocess folder (:mod:`medgrade_shared.workers`), removed
    when the service stops, where each worker also marks itself ready."""
    options: dict[str, Any] = {"factory": True, "host": settings.host, "port": settings.port, "access_log": False,
                               "log_config": logging_config(service, settings.log_level)}
    if workers <= 1:
        uvicorn.run(factory, **options)
        return
    with tempfile.TemporaryDirectory(prefix=f"medgrade-{service}-metrics-") as folder:
        os.environ[MULTIPROC_ENV] = folder
        os.environ[WORKER_COUNT_ENV] = str(workers)
        uvicorn.run(factory, workers=workers, **options)
