"""The scripts a newcomer runs first: the prerequisite check says in one line what is missing,
and scripts/suite.py says what it started and what to do with the wrong Python."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "scripts" / "check_prerequisites.sh"


def _checks(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in bash with the check's functions defined; ``apt_get`` never installs."""
    return subprocess.run(["bash", "-c", f"source {CHECK}; apt_get() {{ return 1; }}; {script}"],
                          capture_output=True, text=True, cwd=ROOT, timeout=30, env={**os.environ, **env})


@pytest.fixture(scope="module")
def suite():
    spec = importlib.util.spec_from_file_location("medgrade_suite", ROOT / "scripts" / "suite.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("mode", "packages"), [("local", "nginx prometheus chromium"),
                                                 ("compose", "prometheus chromium")])
def test_missing_tools_are_named_in_one_line_with_their_debian_packages(mode, packages):
    result = _checks(f"TOOL_PATH=/nonexistent; check_tools {mode}")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.rstrip().endswith(f"apt-get install {packages}")


def test_tools_found_pass(tmp_path):
    for tool in ("nginx", "prometheus", "promtool", "chromium"):
        (tmp_path / tool).write_text("#!/bin/sh\n")
        (tmp_path / tool).chmod(0o755)
    assert _checks(f"TOOL_PATH={tmp_path}; check_tools local").returncode == 0


def test_a_port_in_use_is_named():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        taken = listener.getsockname()[1]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            free = probe.getsockname()[1]  # bound, not listening: nothing answers there
            result = _checks(f"check_ports {free} {taken}")
            assert _checks(f"check_ports {free}").returncode == 0
    assert result.returncode == 1
    assert f"but {taken} in use" in result.stderr and "scripts/demo.sh stop" in result.stderr


def test_an_old_python_is_refused_at_once(tmp_path):
    old = tmp_path / "python3.9"
    old.write_text('#!/bin/sh\n[ "$1" = -V ] && echo "Python 3.9.2"; exit 1\n')
    old.chmod(0o755)
    started = time.monotonic()
    result = subprocess.run([str(CHECK), "python"], capture_output=True, text=True, timeout=30,
                            env={**os.environ, "PYTHON": str(old), "MEDGRADE_VENV": str(tmp_path / "no-venv")})
    assert time.monotonic() - started < 5
    assert result.returncode == 1
    assert "needs Python 3.11 or newer" in result.stderr and "Python 3.9.2" in result.stderr


def test_the_check_knows_the_ports_suite_py_uses(suite):
    ports = {port for _, port, _ in suite.SERVICES.values()} | {suite.GATEWAY_PORT, suite.PROMETHEUS_PORT}
    result = _checks('echo "${SUITE_PORTS[@]}"')
    assert {int(port) for port in result.stdout.split()} == ports


def test_test_sh_checks_before_it_installs_or_tests():
    commands = [line for line in (ROOT / "scripts" / "test.sh").read_text().splitlines()
                if line and not line.startswith(("#", "set ", "cd "))]
    assert commands[0] == "scripts/check_prerequisites.sh test"


def test_suite_py_is_executable_and_says_which_python_to_use():
    script = ROOT / "scripts" / "suite.py"
    assert os.access(script, os.X_OK) and script.read_text().startswith("#!/usr/bin/env python3\n")
    # -S: no site-packages, so none of MedGrade's packages, as with the system Python.
    result = subprocess.run([sys.executable, "-S", str(script), "status"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "ModuleNotFoundError" not in result.stderr
    assert "run scripts/bootstrap.sh, then .venv/bin/python scripts/suite.py status" in result.stderr


@pytest.mark.parametrize(("no_gateway", "nginx", "prometheus", "skipped"), [
    (False, "/usr/sbin/nginx", "/usr/bin/prometheus", {}),
    (False, None, None, {"gateway": "nginx is not installed: apt-get install nginx",
                         "prometheus": "only with --with-prometheus"}),
    (True, None, "/usr/bin/prometheus", {"gateway": "--no-gateway"}),
])
def test_start_names_the_parts_it_leaves_out_and_why(suite, no_gateway, nginx, prometheus, skipped):
    assert suite.skipped_parts(no_gateway, nginx, prometheus) == skipped
