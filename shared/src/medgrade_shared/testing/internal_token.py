"""Pytest plugin: every test runs with a known internal credential in ``MEDGRADE_INTERNAL_TOKEN``,
so the services' settings find one (a service refuses to start without it). Load it from a
conftest with ``pytest_plugins = ["medgrade_shared.testing.internal_token"]`` and send
``INTERNAL_HEADERS`` from a ``TestClient`` of an internal service."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from medgrade_shared.internal_auth import INTERNAL_TOKEN_ENV, INTERNAL_TOKEN_HEADER

TEST_INTERNAL_TOKEN = "test-internal-token-0123456789abcdef"
INTERNAL_HEADERS = {INTERNAL_TOKEN_HEADER: TEST_INTERNAL_TOKEN}

if TYPE_CHECKING:
    from starlette.testclient import TestClient


@pytest.fixture(autouse=True)
def _internal_token_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(INTERNAL_TOKEN_ENV, TEST_INTERNAL_TOKEN)


def assert_refused_without_token(client: TestClient, method: str, path: str, **kwargs: Any) -> None:
    """``method path`` on ``client`` (a TestClient of an internal service) answers 401 in the
    error envelope without the internal credential, with a wrong one, and with a forged
    ``X-Client-Name``, and is not refused for the credential with the right one."""
    from medgrade_shared.internal_auth import CLIENT_NAME_HEADER

    for headers in ({INTERNAL_TOKEN_HEADER: ""}, {INTERNAL_TOKEN_HEADER: TEST_INTERNAL_TOKEN + "x"},
                    {INTERNAL_TOKEN_HEADER: "", CLIENT_NAME_HEADER: "orchestrator"}):
        response = client.request(method, path, headers=headers, **kwargs)
        assert response.status_code == 401, (method, path, headers.keys(), response.text)
        error = response.json()["error"]
        assert error["code"] == "unauthorized" and error["request_id"] == response.headers["X-Request-ID"]
    right = client.request(method, path, headers=INTERNAL_HEADERS, **kwargs)
    assert right.status_code != 401, (method, path, right.text)
