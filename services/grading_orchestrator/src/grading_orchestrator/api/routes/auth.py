"""``GET /auth/verify``: nginx's key check (``auth_request``) for every routed request.

nginx passes the caller's ``X-API-Key`` and the request it is about in ``X-Original-URI``
and ``X-Original-Method``. 200 names the client in ``X-Client-Name`` (nginx forwards it and
rate-limits by it) and its scopes in ``X-Client-Scopes``; 401 for a missing, unknown or
revoked key; 403 when the key lacks the route's scope. Not routed by nginx itself.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse

from grading_orchestrator.api.deps import ApiKeysDep
from grading_orchestrator.auth import ApiKeyValue, authorize, required_scope
from medgrade_shared.api_keys import SCOPES
from medgrade_shared.models.errors import ErrorEnvelope

router = APIRouter(prefix="/auth", tags=["auth"])


@router.get("/verify", summary="Check an API key for the gateway",
            responses={code: {"model": ErrorEnvelope} for code in (401, 403, 503)})
def verify(
    keys: ApiKeysDep,
    api_key: ApiKeyValue,
    x_original_uri: Annotated[str, Header(description="The URI of the request the key is for.")] = "",
    x_original_method: Annotated[str, Header(description="The method of the request the key is for.")] = "",
) -> JSONResponse:
    """nginx's `auth_request`: 200 with the client's name and scopes when the key may make that
    request, 401 for a missing, unknown or revoked key, 403 when it lacks the route's scope."""
    client = authorize(keys, api_key, required_scope(x_original_method, x_original_uri))
    scopes = [scope for scope in SCOPES if scope in client.scopes]
    return JSONResponse({"client": client.name, "scopes": scopes},
                        headers={"X-Client-Name": client.name, "X-Client-Scopes": " ".join(scopes)})
