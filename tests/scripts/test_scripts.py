"""The scripts a newcomer runs first: the prerequisite check says in one line what is missing
and finds a port base with every port free, and scripts/suite.py starts everything at a port
base and says what it started and what to do with the wrong Python."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from medgrade_shared.registry import DEFAULT_PORT_BASE, GATEWAY, GATEWAY_UPSTREAMS, ORCHESTRATOR, PARTS, SERVICES
from medgrade_shared.testing.ports import free_port_base

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


def _free_port_base() -> int:
    """A base far from the default ports whose every port could be bound just now."""
    return free_port_base(40000, 50000)


@contextlib.contextmanager
def _listening() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_the_check_probes_the_registry_s_ports_at_a_base():
    assert _checks("suite_ports 20000").stdout.split() == [str(part.port(20000)) for part in PARTS]
    assert _checks("suite_ports").stdout.split() == [str(part.default_port) for part in PARTS]


def test_the_first_port_base_with_every_port_free_is_chosen():
    with _listening() as taken:  # the orchestrator's port at the first base
        free = _free_port_base()
        result = _checks(f"TEST_PORT_BASES=({taken} {free}); choose_port_base local", MEDGRADE_PORT_BASE="")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{free}\n"


def test_no_free_port_base_is_one_line_that_says_what_to_set():
    with _listening() as taken:
        result = _checks(f"TEST_PORT_BASES=({taken}); choose_port_base local", MEDGRADE_PORT_BASE="")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "set MEDGRADE_PORT_BASE" in result.stderr


def test_a_port_base_asked_for_is_checked_not_replaced():
    free = _free_port_base()
    assert _checks("choose_port_base local", MEDGRADE_PORT_BASE=str(free)).stdout == f"{free}\n"
    with _listening() as taken:
        result = _checks("choose_port_base local", MEDGRADE_PORT_BASE=str(taken))
    assert result.returncode == 1 and f"but {taken} in use" in result.stderr
    for wrong, message in (("x", "must be a port number"), ("64500", "choose a base from")):
        result = _checks("choose_port_base local", MEDGRADE_PORT_BASE=wrong)
        assert result.returncode == 1 and message in result.stderr, wrong


def test_compose_mode_refuses_a_port_base():
    result = _checks("choose_port_base compose", MEDGRADE_PORT_BASE="20000")
    assert result.returncode == 1 and "compose mode publishes the default ports" in result.stderr


def test_test_sh_checks_and_chooses_the_port_base_before_it_installs_or_tests():
    commands = [line for line in (ROOT / "scripts" / "test.sh").read_text().splitlines()
                if line and not line.startswith(("#", "set ", "cd "))]
    assert commands[:2] == ["MEDGRADE_PORT_BASE=$(scripts/check_prerequisites.sh test)", "export MEDGRADE_PORT_BASE"]


def test_everything_start_starts_follows_the_port_base(suite, tmp_path):
    base = 20000
    for service in SERVICES:
        env = suite.service_environment(service, base, tmp_path)
        assert env[f"{service.env_prefix}PORT"] == str(service.port(base))
    urls = {value for key, value in suite.service_environment(ORCHESTRATOR, base, tmp_path).items()
            if key.endswith("_SERVICE_URL")}
    assert urls == {service.url(base) for service in SERVICES if service != ORCHESTRATOR}
    gateway = suite.gateway_values(base, "5r/s", 5)
    assert gateway["GATEWAY_LISTEN"] == f"127.0.0.1:{GATEWAY.port(base)}"
    for placeholder, upstream in GATEWAY_UPSTREAMS.items():
        assert gateway[placeholder] == f"127.0.0.1:{upstream.port(base)}", placeholder
    targets = [t for job in suite.prometheus_config(base)["scrape_configs"] for c in job["static_configs"]
               for t in c["targets"]]
    assert targets == [f"127.0.0.1:{service.port(base)}" for service in SERVICES]


def test_the_port_base_is_the_option_else_the_environment_else_the_running_suite_s(suite, monkeypatch, tmp_path):
    monkeypatch.setattr(suite, "PORT_BASE_FILE", tmp_path / "port-base")
    monkeypatch.setattr(suite, "_running_pid", lambda name: 4242 if name == "scoring" else None)
    monkeypatch.delenv("MEDGRADE_PORT_BASE", raising=False)
    assert suite.port_base(None) == DEFAULT_PORT_BASE
    (tmp_path / "port-base").write_text("21000\n")
    assert suite.port_base(None) == 21000
    monkeypatch.setenv("MEDGRADE_PORT_BASE", "30000")
    assert suite.port_base(None) == 30000
    assert suite.port_base(20000) == 20000
    monkeypatch.setattr(suite, "_running_pid", lambda name: None)  # a stale record counts for nothing
    monkeypatch.delenv("MEDGRADE_PORT_BASE")
    assert suite.port_base(None) == DEFAULT_PORT_BASE
    for wrong, message in (("abc", "is not a port number"), ("64500", "choose a base from")):
        monkeypatch.setenv("MEDGRADE_PORT_BASE", wrong)
        with pytest.raises(SystemExit, match=message):
            suite.port_base(None)


def test_start_refuses_a_second_base_for_the_suite_of_a_run_folder(suite, monkeypatch, tmp_path):
    monkeypatch.setattr(suite, "_running_port_base", lambda: 21000)
    with pytest.raises(SystemExit, match="runs on port base 21000: stop it first"):
        suite.start(tmp_path / "store", 1.0, None, None, "10r/s", 5, {}, 20000)


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
