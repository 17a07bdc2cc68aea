"""Start, stop and use the MedGrade suite as local processes (no Docker needed).

    python scripts/suite.py start       # four services on 8000-8003, local store in var/store
    python scripts/suite.py grade FILE --rubric stroke_v1
    python scripts/suite.py status
    python scripts/suite.py stop

Each service runs as its own process (its console script from the virtual environment),
logs to .run/logs/<service>.log and records its PID in .run/<service>.pid.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = Path(os.environ.get("MEDGRADE_RUN_DIR", ROOT / ".run")).resolve()
BIN_DIR = Path(sys.executable).parent

SERVICES = {
    # name: (console script, port, env prefix)
    "rubric_management": ("medgrade-rubric-management", 8001, "MEDGRADE_RUBRICS_"),
    "document_parser": ("medgrade-document-parser", 8002, "MEDGRADE_PARSER_"),
    "scoring": ("medgrade-scoring", 8003, "MEDGRADE_SCORING_"),
    "grading_orchestrator": ("medgrade-grading-orchestrator", 8000, "MEDGRADE_ORCHESTRATOR_"),
}
ORCHESTRATOR = "http://127.0.0.1:8000"


def _get_json(url: str, timeout: float = 2.0) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _pid_file(name: str) -> Path:
    return RUN_DIR / f"{name}.pid"


def _running_pid(name: str) -> int | None:
    try:
        pid = int(_pid_file(name).read_text())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return None
    return pid


def _wait_until(predicate, what: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise SystemExit(f"timed out after {timeout_s:.0f} s waiting for {what}; see {RUN_DIR / 'logs'}")


def _healthy(port: int) -> bool:
    try:
        return _get_json(f"http://127.0.0.1:{port}/health", timeout=0.5)[0] == 200
    except (OSError, ValueError):
        return False


def _port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def start(store_path: Path, timeout_s: float) -> None:
    (RUN_DIR / "logs").mkdir(parents=True, exist_ok=True)
    for name, (script, port, prefix) in SERVICES.items():
        if _running_pid(name):
            print(f"{name}: already running (pid {_running_pid(name)})")
            continue
        if _port_in_use(port):
            raise SystemExit(f"port {port} for {name} is taken by another process; stop it first "
                             "(scripts/demo.sh stop stops a suite started by the demo)")
        env = {**os.environ, f"{prefix}PORT": str(port), f"{prefix}STORE_PATH": str(store_path)}
        with open(RUN_DIR / "logs" / f"{name}.log", "ab") as log:
            process = subprocess.Popen([str(BIN_DIR / script)], env=env, stdout=log, stderr=subprocess.STDOUT,
                                       cwd=ROOT, start_new_session=True)
        _pid_file(name).write_text(str(process.pid))
        print(f"{name}: started on 127.0.0.1:{port} (pid {process.pid})")
    for name, (_, port, _) in SERVICES.items():
        _wait_until(lambda port=port: _healthy(port), f"{name} /health", timeout_s)
    _wait_until(lambda: _suite_ok(), "/services/status to report ok", timeout_s)
    print("suite is up: " + ORCHESTRATOR + "/services/status reports ok")


def _suite_ok() -> bool:
    try:
        return _get_json(ORCHESTRATOR + "/services/status")[1].get("status") == "ok"
    except (OSError, ValueError):
        return False


def stop() -> None:
    for name in SERVICES:
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


def status() -> int:
    try:
        code, body = _get_json(ORCHESTRATOR + "/services/status")
    except OSError:
        print("the orchestrator is not answering on " + ORCHESTRATOR)
        return 1
    print(json.dumps(body, indent=2))
    return 0 if body.get("status") == "ok" else 1


def grade(transcript: Path, rubric_id: str, student_id: str) -> int:
    request = {"rubric_id": rubric_id, "student_id": student_id,
               "submission": {"oral_transcript": transcript.read_text(encoding="utf-8")}}
    req = urllib.request.Request(ORCHESTRATOR + "/grade", data=json.dumps(request).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
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
    print("feedback:")
    for item in result["feedback"][:12]:
        print(f"  [{item['kind']}] {item['message']}  {' '.join(item['citations'])}")
    if len(result["feedback"]) > 12:
        print(f"  ... {len(result['feedback']) - 12} more in the full result")
    print("\nfetch it again:\n  curl -s " + ORCHESTRATOR + f"/gradings/{result['grading_id']}")
    print("grade your own transcript:\n  curl -s -X POST " + ORCHESTRATOR + "/grade -H 'Content-Type: application/json' "
          f"-d '{{\"rubric_id\": \"{rubric_id}\", \"student_id\": \"s1\", "
          "\"submission\": {\"oral_transcript\": \"[00:01] Student: What brings you in today?\\n"
          "[00:04] Patient: My arm went weak.\"}}'")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    start_cmd = sub.add_parser("start", help="start the four services as local processes")
    start_cmd.add_argument("--store-path", type=Path, default=ROOT / "var" / "store")
    start_cmd.add_argument("--timeout", type=float, default=60.0)
    sub.add_parser("stop", help="stop the services started by 'start'")
    sub.add_parser("status", help="print /services/status")
    grade_cmd = sub.add_parser("grade", help="grade a transcript file")
    grade_cmd.add_argument("transcript", type=Path)
    grade_cmd.add_argument("--rubric", default="stroke_v1")
    grade_cmd.add_argument("--student", default="demo-student")
    args = parser.parse_args()
    if args.command == "start":
        start(args.store_path.resolve(), args.timeout)
        return 0
    if args.command == "stop":
        stop()
        return 0
    if args.command == "status":
        return status()
    return grade(args.transcript, args.rubric, args.student)


if __name__ == "__main__":
    sys.exit(main())
