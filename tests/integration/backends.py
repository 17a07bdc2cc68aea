"""How the integration tests reach and manipulate the suite they run against.

run_integration_tests.sh starts the suite one of two ways and tells the tests which through
the environment; the tests use ``current()`` (the ``suite`` fixture) for everything that is
not plain HTTP, so no test hard-codes local processes or containers:

    MEDGRADE_IT_BACKEND          "local" (default): scripts/suite.py processes on this machine;
                                 "compose": the docker compose project below
    MEDGRADE_PORT_BASE           local mode: the port base of the suite (``url`` gives each part's
                                 URL from medgrade_shared.registry); unset, the default base,
                                 whose ports Compose mode publishes (docker-compose.integration.yml)
    MEDGRADE_IT_KEYS_CLI         the command that runs grading_orchestrator.keys_cli against the
                                 suite's key store, split like a shell would (Compose mode:
                                 "docker compose -p ... exec -T grading_orchestrator python -m
                                 grading_orchestrator.keys_cli"); default: this Python with
                                 MEDGRADE_ORCHESTRATOR_STORE_PATH=$MEDGRADE_IT_STORE
    MEDGRADE_IT_STORE            local mode: the store folder the services use
    MEDGRADE_RUN_DIR             the run folder: demo-api-key (both modes), and in local mode
                                 the PID files and logs/<name>.log of scripts/suite.py
    MEDGRADE_IT_COMPOSE_PROJECT  Compose mode: the project name (containers are found by the
                                 com.docker.compose.project/service labels)
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from abc import ABC, abstractmethod
from pathlib import Path

from medgrade_shared.registry import DEFAULT_PORT_BASE, Part, check_port_base

ROOT = Path(__file__).resolve().parents[2]
KEYS_CLI_MODULE = "grading_orchestrator.keys_cli"
# What run_integration_tests.sh starts in Compose mode (the second file publishes the services'
# ports on loopback and sets the tests' rate limit).
COMPOSE_FILES = ("docker-compose.yml", "docker-compose.integration.yml")


def port_base() -> int:
    return check_port_base(int(os.environ.get("MEDGRADE_PORT_BASE") or DEFAULT_PORT_BASE))


def url(part: Part) -> str:
    """Where the suite under test serves ``part`` on this machine."""
    return part.url(port_base())


class Suite(ABC):
    """The running suite as the tests see it beyond HTTP: API keys, stopping and restarting
    one service, the stored gradings and the services' logs."""

    kind: str

    def __init__(self) -> None:
        self.run_dir = Path(os.environ.get("MEDGRADE_RUN_DIR", ROOT / ".run"))

    def keys_cli(self, *args: str) -> str:
        """Run the key CLI against the suite's key store; its stdout (a new key for ``create``)."""
        command = os.environ.get("MEDGRADE_IT_KEYS_CLI")
        argv = shlex.split(command) if command else self._default_keys_cli()
        done = subprocess.run([*argv, *args], env=self._keys_cli_env(), cwd=ROOT, capture_output=True,
                              text=True, timeout=60)
        if done.returncode != 0:
            raise AssertionError(f"{' '.join(argv + list(args))} failed ({done.returncode}):\n{done.stderr}")
        return done.stdout.strip()

    def _default_keys_cli(self) -> list[str]:
        return [sys.executable, "-m", KEYS_CLI_MODULE]

    def _keys_cli_env(self) -> dict[str, str]:
        return dict(os.environ)

    @abstractmethod
    def stop_service(self, service: str) -> None:
        """Make ``service`` stop answering at once (it is not restarted by itself)."""

    @abstractmethod
    def start_service(self, service: str) -> None:
        """Bring a stopped ``service`` back; returns once it is healthy."""

    @abstractmethod
    def stored_gradings(self) -> set[str]:
        """The file names of the gradings in the store (``<grading id>.json``)."""

    @abstractmethod
    def logs(self, service: str) -> str:
        """Everything ``service`` (a compose service name) has logged so far."""

    @abstractmethod
    def gateway_access_log(self) -> str:
        """The gateway's access log (JSON lines) so far."""


class LocalSuite(Suite):
    """The processes of scripts/suite.py: PID files and logs in the run folder, a store folder."""

    kind = "local"

    @property
    def store_path(self) -> Path:
        path = os.environ.get("MEDGRADE_IT_STORE")
        if not path:
            raise RuntimeError("MEDGRADE_IT_STORE is not set: run these tests through run_integration_tests.sh")
        return Path(path)

    def _keys_cli_env(self) -> dict[str, str]:
        return {**os.environ, "MEDGRADE_ORCHESTRATOR_STORE_PATH": str(self.store_path)}

    def stop_service(self, service: str) -> None:
        pid = int((self.run_dir / f"{service}.pid").read_text())
        os.killpg(pid, signal.SIGKILL)

    def start_service(self, service: str) -> None:
        # `suite.py start` starts whatever is not running and waits until every service is healthy.
        subprocess.run([sys.executable, str(ROOT / "scripts" / "suite.py"), "start", "--store-path",
                        str(self.store_path), "--port-base", str(port_base())], check=True, cwd=ROOT)

    def stored_gradings(self) -> set[str]:
        folder = self.store_path / "gradings"
        return {p.name for p in folder.glob("*.json")} if folder.exists() else set()

    def logs(self, service: str) -> str:
        path = self.run_dir / "logs" / f"{service}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def gateway_access_log(self) -> str:
        return (self.run_dir / "logs" / "gateway-access.log").read_text(errors="replace")


class ComposeSuite(Suite):
    """The containers of one docker compose project, through the Docker SDK."""

    kind = "compose"
    ORCHESTRATOR_SERVICE = "grading_orchestrator"
    GATEWAY_SERVICE = "nginx"
    # The gradings the orchestrator container sees in its store (the named volume).
    _LIST_GRADINGS = ("import os, pathlib; "
                      "folder = pathlib.Path(os.environ['MEDGRADE_ORCHESTRATOR_STORE_PATH'], 'gradings'); "
                      "print('\\n'.join(sorted(p.name for p in folder.glob('*.json'))) if folder.is_dir() else '')")

    def __init__(self) -> None:
        super().__init__()
        self.project = os.environ.get("MEDGRADE_IT_COMPOSE_PROJECT")
        if not self.project:
            raise RuntimeError("MEDGRADE_IT_COMPOSE_PROJECT is not set: "
                               "run these tests through run_integration_tests.sh")
        import docker  # only Compose mode needs the Docker SDK

        self.client = docker.from_env()

    def _default_keys_cli(self) -> list[str]:
        files = [arg for name in COMPOSE_FILES for arg in ("-f", str(ROOT / name))]
        return ["docker", "compose", "-p", self.project, *files, "exec", "-T", self.ORCHESTRATOR_SERVICE,
                "python", "-m", KEYS_CLI_MODULE]

    def container(self, service: str):
        labels = [f"com.docker.compose.project={self.project}", f"com.docker.compose.service={service}"]
        found = self.client.containers.list(all=True, filters={"label": labels})
        if len(found) != 1:
            raise AssertionError(f"expected one container of service {service!r} in project {self.project!r}, "
                                 f"found {[c.name for c in found]}")
        return found[0]

    def stop_service(self, service: str) -> None:
        self.container(service).stop(timeout=5)

    def start_service(self, service: str, timeout_s: float = 120.0) -> None:
        container = self.container(service)
        container.start()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            container.reload()
            state = container.attrs["State"]
            health = state.get("Health", {}).get("Status")
            if state.get("Running") and health in ("healthy", None):  # None: the image has no health check
                return
            if not state.get("Running") or health == "unhealthy":
                raise AssertionError(f"{service} did not come back: {state}\n{self.logs(service)[-3000:]}")
            time.sleep(0.5)
        raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {service} to be healthy again")

    def stored_gradings(self) -> set[str]:
        result = self.container(self.ORCHESTRATOR_SERVICE).exec_run(["python", "-c", self._LIST_GRADINGS])
        output = result.output.decode("utf-8", "replace")
        if result.exit_code != 0:
            raise AssertionError(f"listing the gradings in the orchestrator container failed:\n{output}")
        return {line.strip() for line in output.splitlines() if line.strip()}

    def logs(self, service: str) -> str:
        return self.container(service).logs(stdout=True, stderr=True).decode("utf-8", "replace")

    def gateway_access_log(self) -> str:
        # The image sends the access log to stdout and nginx's error log to stderr.
        return self.container(self.GATEWAY_SERVICE).logs(stdout=True, stderr=False).decode("utf-8", "replace")


BACKENDS: dict[str, type[Suite]] = {"local": LocalSuite, "compose": ComposeSuite}


def backend_kind() -> str:
    kind = os.environ.get("MEDGRADE_IT_BACKEND", "local")
    if kind not in BACKENDS:
        raise RuntimeError(f"MEDGRADE_IT_BACKEND={kind!r}: expected one of {', '.join(BACKENDS)}")
    return kind


def current() -> Suite:
    return BACKENDS[backend_kind()]()
