"""Every service's OpenAPI document fuzzed by schemathesis against the real services: no
generated request may get a 5xx. Bounded (a few examples per operation, one worker, a time limit
per service) and run on a suite of its own, started and stopped here at a free port base, so that
whatever the fuzzer creates, approves or archives never reaches the suite the other tests use."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from medgrade_shared import registry
from medgrade_shared.internal_auth import INTERNAL_TOKEN_HEADER
from medgrade_shared.testing.ports import free_port_base

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = Path(sys.executable).parent / "st"
EXAMPLES_PER_OPERATION = 10
SECONDS_PER_SERVICE = 300


@pytest.fixture(scope="module")
def fuzzed_suite(tmp_path_factory) -> Iterator[tuple[int, Path]]:
    """(port base, run folder) of a suite without gateway, on a store of its own."""
    folder = tmp_path_factory.mktemp("fuzz")
    base = free_port_base(30000, 40000)
    env = {**os.environ, "MEDGRADE_RUN_DIR": str(folder / "run")}
    suite = [sys.executable, str(ROOT / "scripts" / "suite.py")]
    started = subprocess.run([*suite, "start", "--port-base", str(base), "--no-gateway",
                              "--store-path", str(folder / "store")], env=env, cwd=ROOT, capture_output=True,
                             text=True, timeout=240)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield base, folder / "run"
    finally:
        subprocess.run([*suite, "stop"], env=env, cwd=ROOT, capture_output=True, timeout=120)


@pytest.mark.parametrize("service", registry.SERVICES, ids=lambda service: service.name)
def test_no_generated_request_gets_a_server_error(fuzzed_suite, service):
    base, run = fuzzed_suite
    if service == registry.ORCHESTRATOR:
        header = f"X-API-Key: {(run / 'demo-api-key').read_text().strip()}"
    else:
        header = f"{INTERNAL_TOKEN_HEADER}: {(run / 'internal-token').read_text().strip()}"
    result = subprocess.run(
        [str(SCHEMATHESIS), "run", f"{service.url(base)}/openapi.json", "-H", header, "--checks", "not_a_server_error",
         "--max-examples", str(EXAMPLES_PER_OPERATION), "--workers", "1", "--seed", "20261202", "--no-color"],
        cwd=ROOT, capture_output=True, text=True, timeout=SECONDS_PER_SERVICE)
    totals = [line.strip() for line in result.stdout.splitlines() if re.search(r"\d+ generated", line)]
    print(f"schemathesis, {service.name}: {'; '.join(totals)}")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:] + server_errors(run)
    assert totals, result.stdout[-2000:]  # it ran and generated requests


def server_errors(run: Path) -> str:
    """The services' log lines of every 5xx answered and every error logged, to say which
    request failed and why (schemathesis's own report is cut to its end)."""
    lines = [line for log in sorted((run / "logs").glob("*.log")) for line in log.read_text().splitlines()
             if re.search(r'"status": 5\d\d|"level": "ERROR"', line) and '"route": "/ready"' not in line]
    return "\nserver errors in the services' logs:\n" + "\n".join(lines[-20:])
