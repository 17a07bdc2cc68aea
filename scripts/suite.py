#!/usr/bin/env python3
"""Start, stop and use the MedGrade suite as local processes (no Docker needed).

    .venv/bin/python scripts/suite.py start     # four services on 8000-8003, local store in var/store,
                                                # and the nginx gateway on 8080 when nginx is installed
    .venv/bin/python scripts/suite.py start --with-prometheus   # also Prometheus on 9090
    .venv/bin/python scripts/suite.py start --port-base 18000   # the same on 18000-18003, 18080, 19090
    .venv/bin/python scripts/suite.py grade FILE --rubric stroke_v1
    .venv/bin/python scripts/suite.py status
    .venv/bin/python scripts/suite.py stop

The ports are medgrade_shared.registry's at a port base: ``--port-base``, else
``MEDGRADE_PORT_BASE``, else 8000. Everything ``start`` starts follows it: the services, the
orchestrator's URLs of the other three, nginx's upstreams and Prometheus' targets.

Each process (service, nginx, Prometheus) logs to .run/logs/<name>.log and records its PID
in .run/<name>.pid, and ``start`` records the port base in .run/port-base, so ``grade`` and
``status`` reach the suite of the run folder (``MEDGRADE_RUN_DIR``, so a second suite needs a
second run folder). ``start`` also makes sure the key store holds a ``demo`` client with
every scope and keeps its key in .run/demo-api-key (mode 600); ``grade`` and ``status`` send
it, through the gateway when it runs. Each run (a ``start`` while no service of the run folder
runs) generates the suite's internal credential into .run/internal-token (mode 600) and gives it
to every service (``MEDGRADE_INTERNAL_TOKEN``) and to nginx (``GATEWAY_INTERNAL_TOKEN``).
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

try:
    from medgrade_shared.api_keys import SCOPES, ApiKeyStore, open_key_file
    from medgrade_shared.internal_auth import INTERNAL_TOKEN_ENV
    from medgrade_shared.registry import (
        DEFAULT_PORT_BASE,
        GATEWAY,
        GATEWAY_UPSTREAMS,
        LOCALHOST,
        ORCHESTRATOR,
        ORCHESTRATOR_UPSTREAMS,
        PARTS,
        PROMETHEUS,
        SERVICES,
        Service,
        check_port_base,
        scrape_targets,
    )
    from medgrade_shared.settings import StoreSettings
except ModuleNotFoundError as missing:  # run with a Python that is not MedGrade's venv
    sys.exit(f"{sys.executable} has no MedGrade packages ({missing.name} is missing): run scripts/bootstrap.sh, "
             f"then .venv/bin/python scripts/suite.py {' '.join(sys.argv[1:])}".rstrip())

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = Path(os.environ.get("MEDGRADE_RUN_DIR", ROOT / ".run")).resolve()
BIN_DIR = Path(sys.executable).parent

DEMO_CLIENT = "demo"
DEMO_KEY_FILE = RUN_DIR / "demo-api-key"
INTERNAL_TOKEN_FILE = RUN_DIR / "internal-token"
PORT_BASE_FILE = RUN_DIR / "port-base"
# nginx and Prometheus live in /usr/sbin or /usr/bin, which a non-root PATH may lack.
TOOL_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/bin"])


def _get_json(url: str, timeout: float = 2.0, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def port_base(requested: int | None) -> int:
    """``requested`` (``--port-base``), else ``MEDGRADE_PORT_BASE``, else the base of the suite
    running from this run folder, else the default; SystemExit when its ports cannot be used."""
    if requested is None and os.environ.get("MEDGRADE_PORT_BASE"):
        try:
            requested = int(os.environ["MEDGRADE_PORT_BASE"])
        except ValueError:
            raise SystemExit(f"MEDGRADE_PORT_BASE={os.environ['MEDGRADE_PORT_BASE']!r} is not a port number") from None
    base = requested if requested is not None else _running_port_base() or DEFAULT_PORT_BASE
    try:
        return check_port_base(base)
    except ValueError as error:
        raise SystemExit(str(error)) from None


def _running_port_base() -> int | None:
    """The port base ``start`` recorded, while a part of its suite still runs."""
    if not any(_running_pid(part.name) for part in PARTS) or not PORT_BASE_FILE.exists():
        return None
    return int(PORT_BASE_FILE.read_text())


def _pid_file(name: str) -> Path:
    return RUN_DIR / f"{name}.pid"


def _running_pid(name: str) -> int | None:
    try:
        pid = int(_pid_file(name).read_text())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return None
    return None if _zombie(pid) else pid


def _zombie(pid: int) -> bool:
    """A killed process whose new parent never reaps it (an init that does not) still
    answers kill(pid, 0), but it is not running."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _wait_until(predicate, what: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise SystemExit(f"timed out after {timeout_s:.0f} s waiting for {what}; see {RUN_DIR / 'logs'}")


def _ready(port: int) -> bool:
    """Ready, not merely alive: the store is reachable and scoring's model has loaded."""
    try:
        return _get_json(f"http://127.0.0.1:{port}/ready", timeout=0.5)[0] == 200
    except (OSError, ValueError):
        return False


def _port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _launch(name: str, port: int, argv: list[str], env: dict[str, str] | None = None) -> None:
    """Start ``argv`` in its own session with its PID in the run folder, unless it runs already."""
    if _running_pid(name):
        print(f"{name}: already running (pid {_running_pid(name)})")
        return
    if _port_in_use(port):
        raise SystemExit(f"port {port} for {name} is taken by another process; stop it first "
                         "(scripts/demo.sh stop stops a suite started by the demo)")
    with open(RUN_DIR / "logs" / f"{name}.log", "ab") as log:
        process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
                                   start_new_session=True)
    _pid_file(name).write_text(str(process.pid))
    print(f"{name}: started on 127.0.0.1:{port} (pid {process.pid})")


def ensure_demo_key(store_path: Path) -> str:
    """A working key of the ``demo`` client (every scope) in DEMO_KEY_FILE. Only hashes are
    stored, so a demo key whose file is gone is revoked and replaced."""
    keys = ApiKeyStore(open_key_file(StoreSettings(store_backend="local", store_path=store_path)))
    if DEMO_KEY_FILE.exists():
        key = DEMO_KEY_FILE.read_text().strip()
        client = keys.verify(key)
        if client is not None and client.name == DEMO_CLIENT:
            return key
    keys.revoke(name=DEMO_CLIENT)
    key = keys.create(DEMO_CLIENT, list(SCOPES))
    _write_private(DEMO_KEY_FILE, key + "\n")
    print(f"created the API key of client {DEMO_CLIENT!r} in {DEMO_KEY_FILE}")
    return key


def _write_private(path: Path, text: str) -> None:
    """``text`` in a new file only its owner can read (mode 600)."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def ensure_internal_token() -> str:
    """The run's internal credential (medgrade_shared.internal_auth) in INTERNAL_TOKEN_FILE: a new
    one for each run, the running one while a service of the run folder still runs with it."""
    if INTERNAL_TOKEN_FILE.exists() and any(_running_pid(service.name) for service in SERVICES):
        return INTERNAL_TOKEN_FILE.read_text().strip()
    token = secrets.token_urlsafe(32)
    _write_private(INTERNAL_TOKEN_FILE, token + "\n")
    return token


def _key_headers() -> dict[str, str]:
    return {"X-API-Key": DEMO_KEY_FILE.read_text().strip()} if DEMO_KEY_FILE.exists() else {}


def render(template: Path, values: dict[str, str]) -> str:
    """Fill the ${NAME} placeholders of a template; every one must be given."""
    text = template.read_text()
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    missing = sorted(set(re.findall(r"\$\{([A-Z_]+)\}", text)))
    if missing:
        raise SystemExit(f"{template.name}: no value for {', '.join(missing)}")
    return text


def service_environment(service: Service, base: int, store_path: Path) -> dict[str, str]:
    """What ``start`` sets for ``service`` on top of its own environment: its port at ``base``,
    the store, and for the orchestrator the URLs of the services it calls at ``base``."""
    env = {f"{service.env_prefix}PORT": str(service.port(base)), f"{service.env_prefix}STORE_PATH": str(store_path)}
    if service == ORCHESTRATOR:
        env |= {f"{service.env_prefix}{setting.upper()}": upstream.url(base)
                for setting, upstream in ORCHESTRATOR_UPSTREAMS.items()}
    return env


def gateway_values(base: int, rate: str, burst: int, internal_token: str = "") -> dict[str, str]:
    """The values of nginx.conf's placeholders for a gateway in the run folder at ``base``."""
    return {
        "GATEWAY_INTERNAL_TOKEN": internal_token,
        "GATEWAY_LISTEN": f"127.0.0.1:{GATEWAY.port(base)}", "GATEWAY_RUN_DIR": str(RUN_DIR / "nginx"),
        "GATEWAY_ACCESS_LOG": str(RUN_DIR / "logs" / "gateway-access.log"),
        "GATEWAY_ERROR_LOG": str(RUN_DIR / "logs" / "gateway.log"),
        "GATEWAY_RATE": rate, "GATEWAY_BURST": str(burst),
        **{placeholder: f"127.0.0.1:{upstream.port(base)}" for placeholder, upstream in GATEWAY_UPSTREAMS.items()},
    }


def prometheus_config(base: int) -> dict:
    """Prometheus scraping the four services at ``base`` every second, with the repository's alert rules."""
    return {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(ROOT / "prometheus" / "alerts.yml")],
        "scrape_configs": [{"job_name": job, "static_configs": [{"targets": [target]}]}
                           for job, target in scrape_targets(host=LOCALHOST, base=base).items()],
    }


def start_gateway(nginx: str, rate: str, burst: int, timeout_s: float, base: int, internal_token: str) -> None:
    """nginx on the gateway's port from the repository's nginx.conf, everything in the run folder."""
    if _running_pid(GATEWAY.name):
        print(f"gateway: already running (pid {_running_pid(GATEWAY.name)})")
        return
    home = RUN_DIR / "nginx"
    home.mkdir(parents=True, exist_ok=True)
    config = home / "nginx.conf"
    # It holds the internal credential: readable by its owner only.
    _write_private(config, render(ROOT / "nginx.conf", gateway_values(base, rate, burst, internal_token)))
    # Run by root, nginx would switch its workers to "nobody", who cannot enter a private run folder.
    user = f" user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    argv = [nginx, "-p", str(home), "-c", str(config), "-e", str(RUN_DIR / "logs" / "gateway.log"),
            "-g", "daemon off;" + user]
    check = subprocess.run([*argv, "-t", "-q"], capture_output=True, text=True)
    if check.returncode != 0:
        raise SystemExit(f"nginx rejects {config}:\n{check.stderr}")
    _launch(GATEWAY.name, GATEWAY.port(base), argv)
    _wait_until(lambda: _answers(GATEWAY.url(base) + "/services/status", _key_headers()),
                "the gateway to route /services/status", timeout_s)
    print(f"gateway is up: {GATEWAY.url(base)} (rate {rate} per client, burst {burst})")


def start_prometheus(prometheus: str, timeout_s: float, base: int) -> None:
    """Prometheus on its port at ``base``; its data stays in the run folder."""
    if _running_pid(PROMETHEUS.name):
        print(f"prometheus: already running (pid {_running_pid(PROMETHEUS.name)})")
        return
    config = RUN_DIR / "prometheus.yml"
    config.write_text(json.dumps(prometheus_config(base), indent=2))  # JSON is YAML
    argv = [prometheus, f"--config.file={config}", f"--storage.tsdb.path={RUN_DIR / 'prometheus-data'}",
            f"--web.listen-address=127.0.0.1:{PROMETHEUS.port(base)}", "--storage.tsdb.retention.time=1d"]
    _launch(PROMETHEUS.name, PROMETHEUS.port(base), argv)
    _wait_until(lambda: _answers(PROMETHEUS.url(base) + "/-/ready"), "Prometheus /-/ready", timeout_s)
    print(f"prometheus is up: {PROMETHEUS.url(base)}")


def start(store_path: Path, timeout_s: float, nginx: str | None, prometheus: str | None,
          rate: str, burst: int, skipped: dict[str, str], base: int) -> None:
    """``skipped`` names the parts not started (gateway, prometheus), each with the reason."""
    running = _running_port_base()
    if running is not None and running != base:
        raise SystemExit(f"the suite of {RUN_DIR} runs on port base {running}: stop it first (suite.py stop), "
                         "or start the second suite with a run folder of its own (MEDGRADE_RUN_DIR)")
    (RUN_DIR / "logs").mkdir(parents=True, exist_ok=True)
    PORT_BASE_FILE.write_text(f"{base}\n")
    key = ensure_demo_key(store_path)
    internal_token = ensure_internal_token()
    for service in SERVICES:
        env = {**os.environ, **service_environment(service, base, store_path), INTERNAL_TOKEN_ENV: internal_token}
        _launch(service.name, service.port(base), [str(BIN_DIR / service.console_script)], env)
    for service in SERVICES:
        port = service.port(base)
        _wait_until(lambda port=port: _ready(port), f"{service.name} /ready", timeout_s)
    _wait_until(lambda: _suite_ok({"X-API-Key": key}, base), "/services/status to report ok", timeout_s)
    print(f"suite is up: {ORCHESTRATOR.url(base)}/services/status reports ok")
    if nginx:
        start_gateway(nginx, rate, burst, timeout_s, base, internal_token)
    if prometheus:
        start_prometheus(prometheus, timeout_s, base)
    for part, reason in skipped.items():
        print(f"{part}: not started ({reason})")
    if nginx:
        print(f"use {GATEWAY.url(base)} (the gateway; send the X-API-Key in {DEMO_KEY_FILE})")
    else:
        print(f"use {ORCHESTRATOR.url(base)} (the orchestrator itself, no gateway; "
              f"send the X-API-Key in {DEMO_KEY_FILE})")


def _answers(url: str, headers: dict[str, str] | None = None) -> bool:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=1.0) as response:
            return response.status == 200
    except OSError:
        return False


def _suite_ok(headers: dict[str, str], base: int) -> bool:
    try:
        return _get_json(ORCHESTRATOR.url(base) + "/services/status", headers=headers)[1].get("status") == "ok"
    except (OSError, ValueError):
        return False


def _base_url(base: int) -> str:
    """Through the gateway when it runs, else straight to the orchestrator."""
    return GATEWAY.url(base) if _running_pid(GATEWAY.name) else ORCHESTRATOR.url(base)


def stop() -> None:
    for name in (GATEWAY.name, PROMETHEUS.name, *(service.name for service in SERVICES)):
        pid = _running_pid(name)
        if pid is None:
            _pid_file(name).unlink(missing_ok=True)
            continue
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while _running_pid(name) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _running_pid(name):
            os.killpg(pid, signal.SIGKILL)
        _pid_file(name).unlink(missing_ok=True)
        print(f"{name}: stopped (pid {pid})")
    PORT_BASE_FILE.unlink(missing_ok=True)


def status(base: int) -> int:
    url = _base_url(base)
    try:
        code, body = _get_json(url + "/services/status", headers=_key_headers())
    except OSError:
        print("the suite is not answering on " + url)
        return 1
    print(json.dumps(body, indent=2))
    return 0 if code == 200 and body.get("status") == "ok" else 1


def grade(transcript: Path, rubric_id: str, student_id: str, base: int) -> int:
    request = {"rubric_id": rubric_id, "student_id": student_id,
               "submission": {"oral_transcript": transcript.read_text(encoding="utf-8")}}
    url = _base_url(base)
    req = urllib.request.Request(url + "/grade", data=json.dumps(request).encode(),
                                 headers={"Content-Type": "application/json", **_key_headers()}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            result = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        print(f"grading failed: HTTP {exc.code}: {exc.read().decode(errors='replace')}")
        return 1
    print(f"graded {transcript.name} against {result['rubric_id']} {result['rubric_version']}: "
          f"overall {result['overall']:.3f}   (grading id {result['grading_id']})")
    for name, entry in result["breakdown"].items():
        print(f"  {name:<14} score {entry['score']:.3f}  weight {entry['weight']:.2f}")
    print(f"  sections: {' > '.join(result['detected_order'])}")
    print(f"  timings (ms): {result['timings_ms']}")
    if result["needs_review"]:
        print(f"needs review before release: {', '.join(result['review_reasons'])}")
    else:
        print("needs review: no (nothing the grade should not be trusted on)")
    for warning in result["warnings"]:
        print(f"  [warning {warning['code']}] {warning['message']}")
    print("feedback:")
    for item in result["feedback"][:12]:
        print(f"  [{item['kind']}] {item['message']}  {' '.join(item['citations'])}")
    if len(result["feedback"]) > 12:
        print(f"  ... {len(result['feedback']) - 12} more in the full result")
    key = f'-H "X-API-Key: $(cat {DEMO_KEY_FILE})"'
    print(f"\nfetch it again:\n  curl -s {key} {url}/gradings/{result['grading_id']}")
    print(f"grade your own transcript:\n  curl -s {key} -X POST {url}/grade -H 'Content-Type: application/json' "
          f"-d '{{\"rubric_id\": \"{rubric_id}\", \"student_id\": \"s1\", "
          "\"submission\": {\"oral_transcript\": \"[00:01] Student: What brings you in today?\\n"
          "[00:04] Patient: My arm went weak.\"}}'")
    return 0


def skipped_parts(no_gateway: bool, nginx: str | None, prometheus: str | None) -> dict[str, str]:
    """The optional parts ``start`` leaves out, each with the reason (printed, so a demo without
    nginx says why there is no gateway)."""
    skipped = {}
    if not nginx:
        skipped["gateway"] = "--no-gateway" if no_gateway else "nginx is not installed: apt-get install nginx"
    if not prometheus:
        skipped["prometheus"] = "only with --with-prometheus"
    return skipped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    start_cmd = sub.add_parser("start", help="start the four services (and nginx, Prometheus) as local processes")
    start_cmd.add_argument("--store-path", type=Path, default=ROOT / "var" / "store")
    start_cmd.add_argument("--timeout", type=float, default=60.0)
    gateway = start_cmd.add_mutually_exclusive_group()
    gateway.add_argument("--with-gateway", action="store_true", help="require nginx (default: use it if installed)")
    gateway.add_argument("--no-gateway", action="store_true", help="do not start nginx even if it is installed")
    start_cmd.add_argument("--with-prometheus", action="store_true",
                           help=f"also start Prometheus (on {PROMETHEUS.default_port} at the default port base)")
    start_cmd.add_argument("--port-base", type=int, metavar="PORT",
                           help="the services on PORT+0..3, the gateway and Prometheus as far from it as from "
                                f"{DEFAULT_PORT_BASE} (default: MEDGRADE_PORT_BASE, else {DEFAULT_PORT_BASE})")
    start_cmd.add_argument("--gateway-rate", default="10r/s", help="per-client request rate (nginx limit_req)")
    start_cmd.add_argument("--gateway-burst", type=int, default=20, help="requests over the rate before 429")
    sub.add_parser("stop", help="stop everything 'start' started")
    sub.add_parser("status", help="print /services/status")
    grade_cmd = sub.add_parser("grade", help="grade a transcript file")
    grade_cmd.add_argument("transcript", type=Path)
    grade_cmd.add_argument("--rubric", default="stroke_v1")
    grade_cmd.add_argument("--student", default="demo-student")
    args = parser.parse_args()
    if args.command == "start":
        if not re.fullmatch(r"[1-9][0-9]*r/[sm]", args.gateway_rate):
            parser.error("--gateway-rate looks like 10r/s or 600r/m")
        nginx = None if args.no_gateway else shutil.which("nginx", path=TOOL_PATH)
        prometheus = shutil.which("prometheus", path=TOOL_PATH) if args.with_prometheus else None
        if args.with_gateway and not nginx:
            parser.error("--with-gateway: no nginx binary found (apt-get install nginx)")
        if args.with_prometheus and not prometheus:
            parser.error("--with-prometheus: no prometheus binary found (apt-get install prometheus)")
        start(args.store_path.resolve(), args.timeout, nginx, prometheus, args.gateway_rate, args.gateway_burst,
              skipped_parts(args.no_gateway, nginx, prometheus), port_base(args.port_base))
        return 0
    if args.command == "stop":
        stop()
        return 0
    if args.command == "status":
        return status(port_base(None))
    return grade(args.transcript, args.rubric, args.student, port_base(None))


if __name__ == "__main__":
    sys.exit(main())
