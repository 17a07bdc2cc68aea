"""Compose mode of run_integration_tests.sh, checked without a Docker engine:
docker-compose.integration.yml (read statically against docker-compose.yml, the services'
settings and prometheus.yml), and the script itself run against a fake `docker` command that
records its calls, so the Compose path (mode choice, `up --wait`, the demo key made in the
orchestrator container, `down -v`, logs on failure, what the tests are told) is exercised."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import threading
import types
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from medgrade_shared.api_keys import SCOPES
from medgrade_shared.registry import SERVICES

from .test_compose import GATEWAY_SERVICE, environment, load_file

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "run_integration_tests.sh"
OVERRIDE = "docker-compose.integration.yml"
IT_PROMETHEUS = "infra/integration/prometheus.yml"
KEYS_CLI = ["exec", "-T", "grading_orchestrator", "python", "-m", "grading_orchestrator.keys_cli"]
FAKE_KEY = "mgk_fake-demo-key-from-the-container"


def load(name: str) -> dict:
    """One file as written (compose's !reset and !override tags understood): the override's
    structure is checked, not a merge."""
    return load_file(name)


# --- docker-compose.integration.yml ---------------------------------------------------------

def test_override_only_adjusts_services_of_the_dev_file():
    base, override = load("docker-compose.yml"), load(OVERRIDE)
    assert set(override) == {"services"}, "no project name, volumes or networks of its own (-p names the project)"
    assert set(override["services"]) <= set(base["services"])
    for name, body in override["services"].items():
        assert set(body) <= {"ports", "environment", "volumes"}, f"{name}: {sorted(body)}"


def test_override_publishes_only_the_four_services():
    """On loopback at their ports: test_registry_files.py."""
    services = load(OVERRIDE)["services"]
    others = {name for name, body in services.items() if body.get("ports")} - {s.name for s in SERVICES}
    assert not others, f"the gateway and Prometheus keep docker-compose.yml's ports: {others}"


def test_override_keeps_the_named_store_volume_and_the_health_checks():
    services = load(OVERRIDE)["services"]
    for service in ("grading_orchestrator", "rubric_management"):
        assert "volumes" not in services[service], f"{service}: the store stays the named volume"
    assert all("healthcheck" not in body for body in services.values())


def test_override_gateway_rate_is_the_local_runs():
    script = SCRIPT.read_text()
    local = re.search(r"--gateway-rate (\S+) --gateway-burst (\d+)", script)
    assert local, "run_integration_tests.sh no longer sets the local gateway's rate"
    env = environment(load(OVERRIDE)["services"][GATEWAY_SERVICE])
    assert (env["GATEWAY_RATE"], env["GATEWAY_BURST"]) == (local.group(1), local.group(2))


def test_override_prometheus_config_is_prometheus_yml_scraped_every_second(tmp_path):
    base_prometheus = load("docker-compose.yml")["services"]["prometheus"]
    target = next(v.split(":")[1] for v in base_prometheus["volumes"] if v.startswith("./prometheus.yml:"))
    assert load(OVERRIDE)["services"]["prometheus"]["volumes"] == [f"./{IT_PROMETHEUS}:{target}:ro"]
    production, integration = load("prometheus.yml"), load(IT_PROMETHEUS)
    assert integration["scrape_configs"] == production["scrape_configs"]
    assert integration["rule_files"] == production["rule_files"]
    assert integration["global"]["scrape_interval"] == "1s"
    promtool = shutil.which("promtool", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/bin"]))
    if promtool:  # laid out as in the container: the rules next to the config
        shutil.copy(ROOT / IT_PROMETHEUS, tmp_path / "prometheus.yml")
        shutil.copytree(ROOT / "prometheus", tmp_path / "prometheus")
        check = subprocess.run([promtool, "check", "config", str(tmp_path / "prometheus.yml")],
                               capture_output=True, text=True, timeout=60)
        assert check.returncode == 0, check.stdout + check.stderr


def test_the_tests_and_the_script_use_the_same_compose_files():
    text = (ROOT / "tests/integration/backends.py").read_text()
    files = re.search(r"^COMPOSE_FILES = \(([^)]*)\)", text, flags=re.M)
    assert files
    assert [f.strip().strip('"') for f in files.group(1).split(",") if f.strip()] == ["docker-compose.yml", OVERRIDE]
    assert '-f "$PWD/docker-compose.yml" -f "$PWD/docker-compose.integration.yml"' in SCRIPT.read_text()


# --- run_integration_tests.sh against a fake docker -----------------------------------------

FAKE_DOCKER = """#!/usr/bin/env bash
# Records every call; answers like an engine with the compose plugin; prints a key for the key CLI.
printf '%s\\n' "$*" >> "$FAKE_DOCKER_LOG"
case "$*" in
  info) exit "${FAKE_DOCKER_INFO_RC:-0}" ;;
  "compose version") echo "Docker Compose version v2.99.0-fake" ;;
  *" exec -T grading_orchestrator python -m grading_orchestrator.keys_cli create "*)
    echo "created a key; it is shown only this once:" >&2
    echo "$FAKE_KEY" ;;
esac
exit 0
"""

# Run by the script's pytest (selected with -k env_probe): what the integration tests are told.
PROBE = """
import os, shlex, stat
from pathlib import Path

def test_env_probe():
    report = {name: value for name, value in os.environ.items()
              if name.startswith("MEDGRADE_IT_") or name == "MEDGRADE_PORT_BASE"}
    key_file = Path(os.environ["MEDGRADE_RUN_DIR"]) / "demo-api-key"
    report["key"] = key_file.read_text()
    report["key_mode"] = stat.S_IMODE(key_file.stat().st_mode)
    report["keys_cli_argv"] = shlex.split(os.environ["MEDGRADE_IT_KEYS_CLI"])
    Path(os.environ["PROBE_REPORT"]).write_text(__import__("json").dumps(report))
"""


class _Status(BaseHTTPRequestHandler):
    """The orchestrator's /services/status, ok for the fake demo key only."""

    def do_GET(self):
        ok = self.path == "/services/status" and self.headers.get("X-API-Key") == FAKE_KEY
        body = json.dumps({"status": "ok"} if ok else {"error": "no"}).encode()
        self.send_response(200 if ok else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def orchestrator_stub():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Status)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake_docker(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    docker = bin_dir / "docker"
    docker.write_text(FAKE_DOCKER)
    docker.chmod(docker.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "docker-calls.log"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("MEDGRADE_IT_") and k != "MEDGRADE_PORT_BASE"},
           "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FAKE_DOCKER_LOG": str(log), "FAKE_KEY": FAKE_KEY,
           "DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock", "TMPDIR": str(tmp_path)}
    return env, log


def run_script(env: dict[str, str], *pytest_args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT), *pytest_args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def compose_prefix(project: str) -> str:
    return f"compose -p {project} -f {ROOT}/docker-compose.yml -f {ROOT}/{OVERRIDE}"


def test_with_an_engine_the_script_runs_the_tests_against_compose(fake_docker, orchestrator_stub, tmp_path):
    env, log = fake_docker
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE)
    report = tmp_path / "report.json"
    env = {**env, "PROBE_REPORT": str(report), "MEDGRADE_IT_ORCHESTRATOR": orchestrator_stub}
    done = run_script(env, "-p", "no:cacheprovider", "-k", "env_probe", str(probe))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "integration tests: compose mode" in done.stdout

    seen = calls(log)
    project = json.loads(report.read_text())["MEDGRADE_IT_COMPOSE_PROJECT"]
    assert re.fullmatch(r"medgrade-it-\d+", project), "a project of its own, never the dev `medgrade`"
    prefix = compose_prefix(project)
    scopes = " ".join(SCOPES)  # run_integration_tests.sh gives the demo client every scope
    assert seen == [
        "info",
        "compose version",
        f"{prefix} up -d --build --wait",
        f"{prefix} {' '.join(KEYS_CLI)} create --name demo --scopes {scopes}",
        f"{prefix} down -v --remove-orphans",
    ]

    told = json.loads(report.read_text())
    assert told["MEDGRADE_IT_BACKEND"] == "compose"
    assert told["key"].strip() == FAKE_KEY and told["key_mode"] == 0o600
    assert told["keys_cli_argv"] == ["docker", *prefix.split(), *KEYS_CLI]
    assert "MEDGRADE_PORT_BASE" not in told, "the tests reach the default ports that compose publishes"
    assert "MEDGRADE_IT_STORE" not in told
    assert not list(tmp_path.glob("medgrade-it.*")), "the run folder is removed"


def test_a_failing_run_prints_the_compose_logs_and_still_removes_the_project(fake_docker, orchestrator_stub):
    env, log = fake_docker
    env = {**env, "MEDGRADE_IT_ORCHESTRATOR": orchestrator_stub}
    done = run_script(env, "-p", "no:cacheprovider", "-k", "no_test_has_this_name")
    assert done.returncode == 5, done.stdout + done.stderr  # pytest: no test selected
    seen = calls(log)
    project = re.match(r"compose -p (\S+) ", seen[2])
    assert project, seen
    prefix = compose_prefix(project.group(1))
    assert seen[2:] == [f"{prefix} up -d --build --wait",
                        f"{prefix} {' '.join(KEYS_CLI)} create --name demo --scopes {' '.join(SCOPES)}",
                        f"{prefix} ps -a", f"{prefix} logs --no-color --tail 200", f"{prefix} down -v --remove-orphans"]


def test_compose_mode_asked_for_without_an_engine_fails_before_starting_anything(fake_docker, tmp_path):
    env, log = fake_docker
    done = run_script({**env, "MEDGRADE_IT_MODE": "compose", "FAKE_DOCKER_INFO_RC": "1"})
    assert done.returncode == 1
    assert "no Docker engine answers" in done.stderr
    assert calls(log) == ["info"]
    assert not list(tmp_path.glob("medgrade-it.*")), "the run folder is removed"


def test_compose_mode_refuses_a_port_base_before_starting_anything(fake_docker):
    env, log = fake_docker
    done = run_script({**env, "MEDGRADE_PORT_BASE": "20000"})
    assert done.returncode == 1
    assert "compose mode publishes the default ports" in done.stderr
    assert calls(log) == ["info", "compose version"]


def test_keys_cli_command_line_round_trips_through_shlex():
    """backends.py splits MEDGRADE_IT_KEYS_CLI with shlex; bash's printf %q must survive it."""
    argv = ["docker", "compose", "-p", "medgrade-it-1", "-f", "/work dir/it's/docker-compose.yml", *KEYS_CLI]
    quoted = subprocess.run(["bash", "-c", 'printf "%q " "$@"', "bash", *argv], capture_output=True, text=True,
                            check=True).stdout
    assert shlex.split(quoted) == argv


# --- tests/integration/backends.py: the Compose backend against a fake Docker SDK -------------

class _ExecResult:
    def __init__(self, exit_code: int, output: bytes) -> None:
        self.exit_code, self.output = exit_code, output


class _FakeContainer:
    def __init__(self, name: str, store: Path, health: list[str]) -> None:
        self.name, self.store, self.health = name, store, list(health)
        self.calls: list[tuple] = []
        self.attrs = {"State": {"Running": True, "Health": {"Status": "healthy"}}}

    def stop(self, timeout: int) -> None:
        self.calls.append(("stop", timeout))
        self.attrs = {"State": {"Running": False, "Health": {"Status": "unhealthy"}}}

    def start(self) -> None:
        self.calls.append(("start",))

    def reload(self) -> None:
        self.attrs = {"State": {"Running": True, "Health": {"Status": self.health.pop(0)}}}

    def exec_run(self, argv: list[str]) -> _ExecResult:
        # Runs the backend's command with this Python, the store folder standing in for the volume.
        self.calls.append(("exec_run", argv[:2]))
        done = subprocess.run([sys.executable, *argv[1:]], capture_output=True, timeout=30,
                              env={**os.environ, "MEDGRADE_ORCHESTRATOR_STORE_PATH": str(self.store)})
        return _ExecResult(done.returncode, done.stdout + done.stderr)

    def logs(self, stdout: bool, stderr: bool) -> bytes:
        self.calls.append(("logs", stdout, stderr))
        return b"line from " + self.name.encode()


class _FakeDocker:
    def __init__(self, containers: dict[str, _FakeContainer]) -> None:
        self.by_service = containers
        self.filters: list[dict] = []

        class _Containers:
            @staticmethod
            def list(all: bool, filters: dict) -> list[_FakeContainer]:
                assert all is True
                self.filters.append(filters)
                service = next(label.split("=", 1)[1] for label in filters["label"]
                               if label.startswith("com.docker.compose.service="))
                return [self.by_service[service]] if service in self.by_service else []

        self.containers = _Containers()


@pytest.fixture
def compose_backend(monkeypatch, tmp_path):
    store = tmp_path / "store"
    containers = {name: _FakeContainer(name, store, ["starting", "starting", "healthy"])
                  for name in ("scoring", "grading_orchestrator", "nginx", "document_parser")}
    client = _FakeDocker(containers)
    monkeypatch.setitem(sys.modules, "docker", types.SimpleNamespace(from_env=lambda: client))
    monkeypatch.setenv("MEDGRADE_IT_BACKEND", "compose")
    monkeypatch.setenv("MEDGRADE_IT_COMPOSE_PROJECT", "medgrade-it-42")
    monkeypatch.delenv("MEDGRADE_IT_KEYS_CLI", raising=False)
    spec = importlib.util.spec_from_file_location("it_backends", ROOT / "tests/integration/backends.py")
    backends = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(backends)
    return backends.current(), client, store


def test_compose_backend_finds_containers_by_project_and_service_labels(compose_backend):
    suite, client, _ = compose_backend
    assert suite.kind == "compose"
    suite.stop_service("scoring")
    assert client.filters[-1] == {"label": ["com.docker.compose.project=medgrade-it-42",
                                            "com.docker.compose.service=scoring"]}
    assert client.by_service["scoring"].calls == [("stop", 5)]
    with pytest.raises(AssertionError, match="expected one container of service 'prometheus'"):
        suite.container("prometheus")


def test_compose_backend_start_waits_for_the_health_check(compose_backend, monkeypatch):
    suite, client, _ = compose_backend
    monkeypatch.setattr("time.sleep", lambda _: None)
    suite.start_service("scoring")
    scoring = client.by_service["scoring"]
    assert scoring.calls == [("start",)] and scoring.health == []  # polled until "healthy"
    scoring.health = ["starting", "unhealthy"]
    with pytest.raises(AssertionError, match="scoring did not come back"):
        suite.start_service("scoring")


def test_compose_backend_lists_the_stored_gradings_inside_the_orchestrator(compose_backend):
    suite, client, store = compose_backend
    assert suite.stored_gradings() == set()  # no gradings folder yet
    (store / "gradings").mkdir(parents=True)
    (store / "gradings" / "g-1.json").write_text("{}")
    (store / "gradings" / "g-2.json").write_text("{}")
    (store / "gradings" / "notes.txt").write_text("")
    assert suite.stored_gradings() == {"g-1.json", "g-2.json"}
    assert client.by_service["grading_orchestrator"].calls[0] == ("exec_run", ["python", "-c"])


def test_compose_backend_logs_and_key_cli(compose_backend):
    suite, client, _ = compose_backend
    assert suite.logs("document_parser") == "line from document_parser"
    assert client.by_service["document_parser"].calls == [("logs", True, True)]
    assert suite.gateway_access_log() == "line from nginx"
    assert client.by_service["nginx"].calls == [("logs", True, False)]  # the access log is stdout
    argv = suite._default_keys_cli()
    assert argv == ["docker", "compose", "-p", "medgrade-it-42", "-f", str(ROOT / "docker-compose.yml"),
                    "-f", str(ROOT / OVERRIDE), *KEYS_CLI]
