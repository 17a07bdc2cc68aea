"""Memory of the scoring service, all its processes together, at rest and after a burst.

Starts ``medgrade-scoring`` (this venv's console script) on a free port of 127.0.0.1 with
``--workers`` worker processes, waits for ``/ready``, and reads every process of the service (the
supervisor and its workers) from ``/proc``: RSS (what ``ps`` shows; pages shared between the
processes count once in each), PSS (each shared page divided among the processes that map it:
the sum is what the service costs the machine) and private memory. Then it sends ``--rounds``
bursts of ``--burst`` concurrent ``POST /score/key_questions`` for the sample interview, with the
vector cache off so that every request encodes, waits ``--settle`` seconds and reads again.
The service is stopped on exit, whatever happens. Linux only (``/proc``).

    python benchmarks/bench_scoring_memory.py --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
from importlib.resources import files
from pathlib import Path

import httpx
from process_memory import measure

from document_parser.parsing.pipeline import parse_transcript
from medgrade_shared.internal_auth import INTERNAL_TOKEN_ENV, INTERNAL_TOKEN_HEADER
from medgrade_shared.models.rubric import Rubric
from medgrade_shared.models.scoring import ScoreRequest
from medgrade_shared.registry import SCORING
from medgrade_shared.testing.ports import free_port

ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT_S = 120.0
REQUEST_TIMEOUT_S = 120.0


def request_body(transcript: Path, rubric_id: str) -> bytes:
    rubric = Rubric.model_validate_json((files("rubric_management") / "examples" / f"{rubric_id}.json").read_text())
    parsed = parse_transcript(transcript.read_text(encoding="utf-8"), "auto", None)
    return ScoreRequest(rubric=rubric, parsed=parsed).model_dump_json().encode()


async def burst(url: str, token: str, body: bytes, size: int, rounds: int) -> tuple[int, int, float]:
    """(answered 200, other, seconds) for ``rounds`` bursts of ``size`` concurrent requests."""
    headers = {INTERNAL_TOKEN_HEADER: token, "Content-Type": "application/json"}
    ok = failed = 0
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT_S,
                                 limits=httpx.Limits(max_connections=size)) as client:
        for _ in range(rounds):
            answers = await asyncio.gather(*(client.post("/score/key_questions", content=body, headers=headers)
                                             for _ in range(size)), return_exceptions=True)
            for answer in answers:
                if isinstance(answer, httpx.Response) and answer.status_code == 200:
                    ok += 1
                else:
                    failed += 1
                    print("FAILED", f"{answer.status_code} {answer.text[:300]}"
                          if isinstance(answer, httpx.Response) else repr(answer))
    return ok, failed, time.perf_counter() - started


def wait_ready(url: str, service: subprocess.Popen[bytes]) -> float:
    started = time.monotonic()
    while time.monotonic() - started < READY_TIMEOUT_S:
        if service.poll() is not None:
            raise SystemExit(f"medgrade-scoring exited with {service.returncode} before it was ready")
        try:
            if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"medgrade-scoring was not ready after {READY_TIMEOUT_S:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--precision", choices=("float32", "int8"), default="float32")
    parser.add_argument("--burst", type=int, default=32, help="concurrent requests per burst")
    parser.add_argument("--rounds", type=int, default=3, help="bursts, one after the other")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds to wait after the bursts")
    parser.add_argument("--transcript", type=Path, default=ROOT / "samples" / "stroke_interview.txt")
    parser.add_argument("--rubric", default="stroke_v1", help="an example rubric shipped with rubric_management")
    args = parser.parse_args()
    if not 1 <= args.burst * args.rounds <= 1000:
        parser.error("--burst times --rounds must be between 1 and 1000")

    port, token = free_port(), secrets.token_urlsafe(32)
    env = {**os.environ, INTERNAL_TOKEN_ENV: token, f"{SCORING.env_prefix}PORT": str(port),
           f"{SCORING.env_prefix}HOST": "127.0.0.1", f"{SCORING.env_prefix}WORKERS": str(args.workers),
           f"{SCORING.env_prefix}PRECISION": args.precision, f"{SCORING.env_prefix}VECTOR_CACHE": "0"}
    url = f"http://127.0.0.1:{port}"
    body = request_body(args.transcript, args.rubric)
    script = Path(sys.executable).with_name(SCORING.console_script)
    service = subprocess.Popen([str(script)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    failed = 0
    try:
        ready_s = wait_ready(url, service)
        time.sleep(1.0)
        print(f"scoring, {args.workers} workers, {args.precision}: ready after {ready_s:.1f} s")
        print(measure(service.pid).line("at rest"))
        ok, failed, seconds = asyncio.run(burst(url, token, body, args.burst, args.rounds))
        print(measure(service.pid).line("burst end"))
        print(f"           {args.rounds} bursts of {args.burst}: {ok} answered 200, {failed} not, in {seconds:.1f} s")
        time.sleep(args.settle)
        print(measure(service.pid).line(f"+{args.settle:.0f} s"))
    finally:
        os.killpg(service.pid, signal.SIGTERM)
        try:
            service.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(service.pid, signal.SIGKILL)
            service.wait()
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
