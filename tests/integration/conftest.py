"""Integration tests talk to the real services started by run_integration_tests.sh, as local
processes or as docker compose containers; backends.py (the ``suite`` fixture) hides which."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from medgrade_shared import registry

from .backends import Suite, backend_kind, current, url

ROOT = Path(__file__).resolve().parents[2]
# The base URLs of the parts the tests call, at the suite's port base.
ORCHESTRATOR = url(registry.ORCHESTRATOR)
RUBRICS = url(registry.RUBRICS)
SCORING = url(registry.SCORING)
GATEWAY = url(registry.GATEWAY)
PROMETHEUS = url(registry.PROMETHEUS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def suite() -> Suite:
    """The running suite beyond HTTP: key CLI, stopping a service, stored gradings, logs."""
    return current()


@pytest.fixture(scope="session")
def store_path() -> Path:
    """Local mode only: the store folder of the local processes."""
    if backend_kind() != "local":
        pytest.fail("store_path exists only in local mode: in Compose mode the store is the orchestrator "
                    "container's volume; use the suite fixture (suite.keys_cli, suite.stored_gradings)")
    path = os.environ.get("MEDGRADE_IT_STORE")
    if not path:
        pytest.fail("MEDGRADE_IT_STORE is not set: run these tests through run_integration_tests.sh")
    return Path(path)


@pytest.fixture(scope="session")
def api() -> Iterator[httpx.Client]:
    headers = {}
    key_file = Path(os.environ.get("MEDGRADE_RUN_DIR", ROOT / ".run")) / "demo-api-key"
    if key_file.exists():
        headers["X-API-Key"] = key_file.read_text().strip()
    with httpx.Client(base_url=ORCHESTRATOR, timeout=30, headers=headers) as client:
        yield client


@pytest.fixture(scope="module")
def gateway() -> Iterator[httpx.Client]:
    """A client of the nginx gateway at the suite's port base (each test sends its own key)."""
    with httpx.Client(base_url=GATEWAY, timeout=30) as client:
        yield client


@pytest.fixture
def new_key(suite):
    """Make a key for a fresh client: ``new_key("grade", ...) -> (client name, key)``."""

    def make(*scopes: str) -> tuple[str, str]:
        name = f"it-{uuid.uuid4().hex[:10]}"
        return name, suite.keys_cli("create", "--name", name, "--scopes", *scopes)

    return make


def internal_headers() -> dict[str, str]:
    """The suite's internal credential, as a caller inside the suite sends it: compose mode's
    MEDGRADE_INTERNAL_TOKEN, else the one scripts/suite.py generated into the run folder."""
    from medgrade_shared.internal_auth import INTERNAL_TOKEN_HEADER

    token = os.environ.get("MEDGRADE_INTERNAL_TOKEN")
    if not token:
        token = (Path(os.environ.get("MEDGRADE_RUN_DIR", ROOT / ".run")) / "internal-token").read_text().strip()
    return {INTERNAL_TOKEN_HEADER: token}


def sample(name: str) -> str:
    return (ROOT / "samples" / name).read_text(encoding="utf-8")


def wait_for(predicate, timeout_s: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")
