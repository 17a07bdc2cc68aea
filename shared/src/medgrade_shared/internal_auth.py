"""Service-to-service trust: the internal credential every call between MedGrade parts carries.

The internal services (rubric_management, document_parser, scoring) answer only callers that
present the suite's shared secret (``MEDGRADE_INTERNAL_TOKEN``, the ``internal_token`` setting
of every service) in ``X-MedGrade-Internal-Token``: the orchestrator's downstream clients and
the gateway (nginx adds it to the requests it routes to rubric_management). Anything else on
the host or the container network gets a 401 in the error envelope, whatever route it asks for.

Open without the credential: ``/health``, ``/ready`` and ``/metrics`` (the container runtime,
the load balancer and Prometheus poll them) and the API documentation (``/docs``, its assets,
``/redoc``, ``/openapi.json``: the schema is in the repository anyway and holds no data).

``X-Client-Name`` (the API key's client, set by nginx from the key check) is honoured only on a
request that carries the credential: on any other request it is removed before the app sees it,
so nothing downstream can read a forged name.

The token is compared with :func:`hmac.compare_digest`, in constant time. A service that should
check it refuses to start without one (:func:`require_internal_token`): there is no silent
open mode. ``scripts/suite.py`` generates one per run; a deployment passes one from its secret
store.
"""

from __future__ import annotations

import hmac

from pydantic import SecretStr
from starlette.types import ASGIApp, Receive, Scope, Send

INTERNAL_TOKEN_HEADER = "X-MedGrade-Internal-Token"
INTERNAL_TOKEN_ENV = "MEDGRADE_INTERNAL_TOKEN"
CLIENT_NAME_HEADER = "X-Client-Name"
MIN_TOKEN_LENGTH = 32
"""Characters: ``secrets.token_urlsafe(32)`` gives 43."""

OPEN_PATHS = frozenset({"/health", "/ready", "/metrics", "/docs", "/docs/oauth2-redirect", "/redoc",
                        "/openapi.json"})
OPEN_PREFIXES = ("/docs/assets/",)

_TOKEN_KEY = INTERNAL_TOKEN_HEADER.lower().encode("latin-1")
_CLIENT_KEY = CLIENT_NAME_HEADER.lower().encode("latin-1")


class MissingInternalToken(RuntimeError):
    """A service that checks (or sends) the internal credential was started without one."""


def require_internal_token(token: SecretStr | None, service: str) -> str:
    """The configured token's value; refuses (``MissingInternalToken``) when there is none."""
    value = token.get_secret_value() if token is not None else ""
    if not value:
        raise MissingInternalToken(
            f"{service}: no internal credential is configured. Set {INTERNAL_TOKEN_ENV} (the same value for "
            f"every service and the gateway, at least {MIN_TOKEN_LENGTH} characters; scripts/suite.py "
            "generates one per run). The service does not start without it.")
    return value


def token_matches(expected: str, presented: str | bytes | None) -> bool:
    """Whether ``presented`` is the internal token, compared in constant time."""
    if presented is None or not expected:
        return False
    if isinstance(presented, str):
        presented = presented.encode("latin-1", errors="replace")
    return hmac.compare_digest(expected.encode("utf-8"), presented)


def is_open_path(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def internal_headers(token: SecretStr | str | None) -> dict[str, str]:
    """The header a caller sends to present the credential (none without a token)."""
    value = token.get_secret_value() if isinstance(token, SecretStr) else token
    return {INTERNAL_TOKEN_HEADER: value} if value else {}


def caller_client_name(scope: Scope) -> str | None:
    """The client a credentialed caller named in ``X-Client-Name``; None otherwise."""
    name = scope.get("state", {}).get("medgrade_client_name")
    return None if name is None else str(name)


class InternalAuthMiddleware:
    """Pure ASGI middleware: every route but the open ones needs the internal credential.

    Without it (missing or wrong) the answer is 401 in the error envelope, before any route,
    body parsing or 404 runs. ``X-Client-Name`` is kept only on credentialed requests, and the
    credential itself is removed from the headers the app sees (it is never logged)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        if not token:
            raise MissingInternalToken("InternalAuthMiddleware needs a token")
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        presented: bytes | None = None
        client_name: str | None = None
        kept = []
        for name, value in scope.get("headers", ()):
            if name == _TOKEN_KEY:
                presented = value if presented is None else b""  # two copies: refused
            elif name == _CLIENT_KEY:
                client_name = value.decode("latin-1")
            else:
                kept.append((name, value))
        trusted = presented is not None and token_matches(self.token, presented)
        if trusted and client_name is not None:
            kept.append((_CLIENT_KEY, client_name.encode("latin-1")))
        # In place, not a copy: the outer middleware reads the matched route from this scope.
        scope["headers"] = kept
        scope.setdefault("state", {})["medgrade_client_name"] = client_name if trusted else None
        if trusted or is_open_path(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        from medgrade_shared.service import error_response  # service imports this module

        message = ("The internal credential is missing." if presented is None
                   else "The internal credential is not valid.")
        refused = error_response(401, "unauthorized",
                                 f"{message} This service answers only other MedGrade services and the gateway "
                                 f"(header {INTERNAL_TOKEN_HEADER}).")
        await refused(scope, receive, send)
