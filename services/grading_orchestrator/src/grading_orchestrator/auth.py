"""Which scope each public route needs, and the check of an ``X-API-Key`` against it.

One rule set serves both doors: nginx asks ``GET /auth/verify`` about every routed request
(``auth_request``), and the orchestrator's own public routes depend on ``require_scope`` so
that a deployment without nginx is not open.
"""

from __future__ import annotations

import logging
import posixpath
import re
from collections.abc import Callable
from typing import Annotated
from urllib.parse import unquote

from fastapi import Security
from fastapi.security import APIKeyHeader

from grading_orchestrator.api.deps import ApiKeysDep, SettingsDep
from medgrade_shared.api_keys import ApiKeyStore, Client
from medgrade_shared.errors import ApiError
from medgrade_shared.store import StoreError

log = logging.getLogger(__name__)

API_KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False,
                              description="A key made with `python -m grading_orchestrator.keys_cli create`.")
ApiKeyValue = Annotated[str | None, Security(API_KEY_HEADER)]

_GRADING_ROUTES = re.compile(r"/(grade(/upload)?|gradings(/.*)?|services/status|batches(/.*)?)")
_RUBRIC_ROUTES = re.compile(r"/rubrics(/.*)?")
_REVIEW_ROUTES = re.compile(r"/gradings/[^/]+/reviews")
_READ_METHODS = frozenset({"GET", "HEAD"})


def normalize_path(uri: str) -> str:
    """The path as nginx matches locations: query dropped, percent-decoded, repeated
    slashes merged, dot segments resolved."""
    path = re.sub(r"/+", "/", unquote(uri.partition("?")[0]))
    return posixpath.normpath(path) if path.startswith("/") else path


def required_scope(method: str, uri: str) -> str | None:
    """``review`` to post a teacher's review; ``grade`` for the other grading routes;
    ``rubrics:read`` to read rubrics and ``rubrics:write`` for any other method on them;
    None for a route nobody may call."""
    path = normalize_path(uri)
    if _REVIEW_ROUTES.fullmatch(path) and method.upper() not in _READ_METHODS:
        return "review"
    if _GRADING_ROUTES.fullmatch(path):
        return "grade"
    if _RUBRIC_ROUTES.fullmatch(path):
        return "rubrics:read" if method.upper() in _READ_METHODS else "rubrics:write"
    return None


def authorize(keys: ApiKeyStore, api_key: str | None, scope: str | None) -> Client:
    """The key's client if the key is valid and grants ``scope``; else 401 or 403."""
    if not api_key:
        raise ApiError(401, "unauthorized", "An API key is required in the X-API-Key header.")
    try:
        client = keys.verify(api_key)
    except StoreError as exc:
        log.error("API key store unusable: %s", exc)
        raise ApiError(503, "service_unavailable", "API keys cannot be checked right now.") from exc
    if client is None:
        raise ApiError(401, "unauthorized", "The API key is unknown or has been revoked.")
    if scope is None:
        raise ApiError(403, "forbidden", "No API key scope grants access to this route.")
    if scope not in client.scopes:
        raise ApiError(403, "forbidden", f"This API key does not have the {scope!r} scope.",
                       details={"required_scope": scope})
    return client


def require_scope(scope: str) -> Callable[..., Client]:
    """A route dependency: the caller's key must grant ``scope``."""

    def dependency(keys: ApiKeysDep, api_key: ApiKeyValue) -> Client:
        return authorize(keys, api_key, scope)

    return dependency


def caller(scope: str) -> Callable[..., str]:
    """A route dependency: the client name of a key granting ``scope`` (who made a review, whose
    Idempotency-Key a batch's is). Where keys are not checked
    (``MEDGRADE_ORCHESTRATOR_AUTH_REQUIRED=false``) a valid key still names the client, and a
    request without one is ``anonymous``."""

    def dependency(settings: SettingsDep, keys: ApiKeysDep, api_key: ApiKeyValue) -> str:
        if settings.auth_required:
            return authorize(keys, api_key, scope).name
        client = keys.verify(api_key) if api_key else None
        return client.name if client is not None else "anonymous"

    return dependency


reviewer = caller("review")
