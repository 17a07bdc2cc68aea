"""Pytest plugin: every test runs with a known internal credential in ``MEDGRADE_INTERNAL_TOKEN``,
so the services' settings find one (a service refuses to start without it). Load it from a
conftest with ``pytest_plugins = ["medgrade_shared.testing.internal_token"]`` and send
``INTERNAL_HEADERS`` from a ``TestClient`` of an internal service."""

from __future__ import annotations

import pytest

from medgrade_shared.internal_auth import INTERNAL_TOKEN_ENV, INTERNAL_TOKEN_HEADER

TEST_INTERNAL_TOKEN = "test-internal-token-0123456789abcdef"
INTERNAL_HEADERS = {INTERNAL_TOKEN_HEADER: TEST_INTERNAL_TOKEN}


@pytest.fixture(autouse=True)
def _internal_token_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(INTERNAL_TOKEN_ENV, TEST_INTERNAL_TOKEN)
