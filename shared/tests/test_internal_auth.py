"""The internal credential (medgrade_shared.internal_auth): every route but the open ones needs
it, compared in constant time; X-Client-Name only counts on a credentialed request."""

from __future__ import annotations

import hmac

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import ValidationError

from medgrade_shared import internal_auth
from medgrade_shared.internal_auth import (
    CLIENT_NAME_HEADER,
    INTERNAL_TOKEN_HEADER,
    MissingInternalToken,
    require_internal_token,
    token_matches,
)
from medgrade_shared.service import create_service_app
from medgrade_shared.settings import ServiceSettings
from medgrade_shared.testing.internal_token import INTERNAL_HEADERS, TEST_INTERNAL_TOKEN


async def _ready(_app) -> dict[str, bool]:
    return {}


def _app() -> FastAPI:
    app = create_service_app(service="demo", title="demo", lifespan=None, readiness=_ready,
                             max_body_bytes=1 << 20, internal_token=TEST_INTERNAL_TOKEN)

    @app.post("/things")
    async def things(request: Request) -> dict:
        return {"client": request.headers.get(CLIENT_NAME_HEADER),
                "token_seen": INTERNAL_TOKEN_HEADER in request.headers,
                "state": internal_auth.caller_client_name(request.scope)}

    return app


@pytest.fixture
def client():
    with TestClient(_app()) as test_client:  # no default headers: each test says what it sends
        yield test_client


def _assert_401(response, message: str) -> None:
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "unauthorized" and message in error["message"]
    assert error["request_id"] == response.headers["X-Request-ID"]


def test_no_token_is_401_in_the_envelope(client):
    _assert_401(client.post("/things", json={}), "missing")


def test_a_wrong_token_is_401(client):
    for wrong in ("", "x", TEST_INTERNAL_TOKEN[:-1], TEST_INTERNAL_TOKEN + "0", TEST_INTERNAL_TOKEN.upper()):
        _assert_401(client.post("/things", json={}, headers={INTERNAL_TOKEN_HEADER: wrong}), "not valid")


def test_two_copies_of_the_header_are_refused(client):
    response = client.post("/things", json={}, headers=[(INTERNAL_TOKEN_HEADER, TEST_INTERNAL_TOKEN),
                                                        (INTERNAL_TOKEN_HEADER, TEST_INTERNAL_TOKEN)])
    assert response.status_code == 401


def test_an_unknown_route_without_the_token_is_401_not_404(client):
    assert client.get("/nowhere").status_code == 401
    assert client.get("/nowhere", headers=INTERNAL_HEADERS).status_code == 404


def test_the_right_token_passes_and_is_not_passed_on_to_the_app(client):
    response = client.post("/things", json={}, headers={**INTERNAL_HEADERS, CLIENT_NAME_HEADER: "lms"})
    assert response.status_code == 200
    assert response.json() == {"client": "lms", "token_seen": False, "state": "lms"}


def test_a_client_name_without_the_token_is_ignored(client):
    """On an open route (no 401) the forged name never reaches the app."""
    app = client.app

    @app.get("/health-like-echo")
    async def echo(request: Request) -> dict:
        return {"client": request.headers.get(CLIENT_NAME_HEADER)}

    # Not an open path: refused.
    assert client.get("/health-like-echo", headers={CLIENT_NAME_HEADER: "admin"}).status_code == 401
    # The open paths answer, and the name is dropped from what the app sees.
    seen: list[str | None] = []

    async def spy(scope, receive, send):
        seen.append(dict(scope["headers"]).get(CLIENT_NAME_HEADER.lower().encode()))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    middleware = internal_auth.InternalAuthMiddleware(spy, TEST_INTERNAL_TOKEN)
    raw = TestClient(middleware)  # no lifespan: the spy answers HTTP only
    raw.get("/health", headers={CLIENT_NAME_HEADER: "admin"})
    raw.get("/health", headers={CLIENT_NAME_HEADER: "orchestrator", **INTERNAL_HEADERS})
    assert seen == [None, b"orchestrator"]


@pytest.mark.parametrize("path", ["/health", "/ready", "/metrics", "/docs", "/redoc", "/openapi.json"])
def test_health_ready_metrics_and_docs_are_open(client, path):
    assert client.get(path).status_code == 200


def test_the_comparison_is_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(internal_auth.hmac, "compare_digest", spy)
    assert token_matches(TEST_INTERNAL_TOKEN, TEST_INTERNAL_TOKEN)
    assert not token_matches(TEST_INTERNAL_TOKEN, "wrong")
    assert not token_matches(TEST_INTERNAL_TOKEN, None)
    assert len(calls) == 2  # None is refused before comparing; both others went through compare_digest


def test_a_service_without_a_token_refuses_to_start(monkeypatch):
    monkeypatch.delenv("MEDGRADE_INTERNAL_TOKEN", raising=False)
    settings = ServiceSettings(port=9999)
    assert settings.internal_token is None
    with pytest.raises(MissingInternalToken, match="MEDGRADE_INTERNAL_TOKEN"):
        require_internal_token(settings.internal_token, "demo")


def test_the_token_setting_is_shared_and_never_shown(monkeypatch):
    monkeypatch.setenv("MEDGRADE_INTERNAL_TOKEN", TEST_INTERNAL_TOKEN)
    settings = ServiceSettings(port=9999)
    assert require_internal_token(settings.internal_token, "demo") == TEST_INTERNAL_TOKEN
    assert TEST_INTERNAL_TOKEN not in repr(settings)


def test_a_short_token_is_refused(monkeypatch):
    monkeypatch.setenv("MEDGRADE_INTERNAL_TOKEN", "short")
    with pytest.raises(ValidationError, match="32 characters"):
        ServiceSettings(port=9999)
