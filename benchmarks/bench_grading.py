"""Grading latency: in-process versus end to end over HTTP.

In-process runs the same functions the services run for one grading (rubric validation,
parse, the weighted components, aggregate), including the JSON encoding and validation the
services do at their edges. End to end posts to a running suite (``scripts/demo.sh`` or
``scripts/suite.py start``): sequentially, then at concurrency 8 and 32.

    .venv/bin/python benchmarks/bench_grading.py --transcript samples/stroke_interview.txt --rubric stroke_v1

Scoring keeps the sentence vectors of the texts it has encoded (``MEDGRADE_SCORING_VECTOR_CACHE``),
so grading one transcript again is a regrade, much cheaper than a first grading. In-process,
the cache is emptied before each timed grading (a first grading), and regrades are timed after.
End to end, start the suite with ``MEDGRADE_SCORING_VECTOR_CACHE=0`` to time first gradings;
with the default every request after the first is a regrade.

``--rubric-file`` grades against a rubric of your own (e.g. one of evaluation/key_questions/
rubrics/): it is stored in the running rubric service first (POST /rubrics, its QA gate
included) and the in-process run uses the same file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from pathlib import Path

import httpx

from document_parser.parsing.pipeline import parse_transcript
from medgrade_shared.internal_auth import INTERNAL_TOKEN_HEADER
from medgrade_shared.models.rubric import Rubric
from medgrade_shared.models.rubric_checks import scored_components
from medgrade_shared.models.scoring import AggregateRequest, ComponentResult, ScoreRequest
from rubric_management.seeding import example_rubrics
from scoring.evaluators.aggregate import aggregate
from scoring.evaluators.components import SCORERS
from scoring.semantic.model import load_encoder


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def describe(label: str, seconds: list[float], wall: float | None = None) -> float:
    ms = [s * 1000 for s in seconds]
    p50 = statistics.median(ms)
    line = (f"{label:<34} n={len(ms):<5} p50 {p50:7.2f} ms  p95 {percentile(ms, 95):7.2f} ms  "
            f"p99 {percentile(ms, 99):7.2f} ms")
    if wall:
        line += f"  throughput {len(ms) / wall:7.1f}/s"
    print(line)
    return p50


def grade_in_process(rubric_raw: bytes, text: str) -> dict:
    """What one grading costs without the network: the services' functions and their JSON edges."""
    rubric = Rubric.model_validate_json(rubric_raw)
    parsed = parse_transcript(text, "auto", None)
    parsed_raw = parsed.model_dump_json()
    body = '{"rubric":' + rubric_raw.decode() + ',"parsed":' + parsed_raw + "}"
    results = {}
    for name in scored_components(rubric, "interview"):
        request = ScoreRequest.model_validate_json(body)
        results[name] = ComponentResult.model_validate_json(SCORERS[name].score(request, None).model_dump_json())
    request = AggregateRequest(rubric=rubric, components=results)
    return json.loads(aggregate(request.rubric, request.components).model_dump_json())


async def over_http(
    base_url: str, payload: dict, n: int, concurrency: int, headers: dict
) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    queue = list(range(n))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits, headers=headers) as client:
        async def worker() -> None:
            nonlocal errors
            while queue:
                queue.pop()
                started = time.perf_counter()
                response = await client.post("/grade", json=payload)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    errors += 1
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return latencies, errors, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transcript", type=Path, default=Path("samples/stroke_interview.txt"))
    parser.add_argument("--rubric", default="stroke_v1", help="an example rubric shipped with rubric_management")
    parser.add_argument("--rubric-file", type=Path, help="a rubric JSON file, stored in the rubric service first")
    parser.add_argument("--rubric-service", default="http://127.0.0.1:8001")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--api-key-file", type=Path, default=Path(".run/demo-api-key"))
    parser.add_argument("--internal-token-file", type=Path, default=Path(".run/internal-token"),
                        help="the suite's internal credential, for storing --rubric-file in the rubric service")
    args = parser.parse_args()

    text = args.transcript.read_text(encoding="utf-8")
    if args.rubric_file:
        rubric = Rubric.model_validate_json(args.rubric_file.read_bytes())
        internal = {INTERNAL_TOKEN_HEADER: args.internal_token_file.read_text().strip()}
        stored = httpx.post(f"{args.rubric_service}/rubrics", content=args.rubric_file.read_bytes(),
                            headers={"Content-Type": "application/json", **internal}, timeout=30)
        stored.raise_for_status()
    else:
        rubric = next(r for r in example_rubrics() if r.rubric_id == args.rubric)
    rubric_raw = rubric.model_dump_json().encode()
    cache = load_encoder().cache  # the model the in-process scorers use
    for _ in range(20):
        cache.clear()
        grade_in_process(rubric_raw, text)
    samples = []
    for _ in range(args.n):
        cache.clear()
        started = time.perf_counter()
        grade_in_process(rubric_raw, text)
        samples.append(time.perf_counter() - started)
    again = []
    for _ in range(args.n):
        started = time.perf_counter()
        grade_in_process(rubric_raw, text)
        again.append(time.perf_counter() - started)
    print(f"transcript {args.transcript} ({len(text)} chars), rubric {rubric.rubric_id} {rubric.version}")
    in_process_p50 = describe("in-process, first grading", samples)
    describe("in-process, graded again", again)

    headers = {"X-API-Key": args.api_key_file.read_text().strip()} if args.api_key_file.exists() else {}
    payload = {"rubric_id": rubric.rubric_id, "rubric_version": rubric.version, "student_id": "bench",
               "submission": {"oral_transcript": text}}
    asyncio.run(over_http(args.base_url, payload, 30, 1, headers))
    latencies, errors, wall = asyncio.run(over_http(args.base_url, payload, args.n, 1, headers))
    e2e_p50 = describe("end to end, sequential", latencies, wall)
    print(f"{'':<34} errors {errors}")
    for concurrency in (8, 32):
        latencies, errors, wall = asyncio.run(over_http(args.base_url, payload, args.n, concurrency, headers))
        describe(f"end to end, concurrency {concurrency}", latencies, wall)
        print(f"{'':<34} errors {errors}")
    print(f"ratio end-to-end p50 / in-process p50 = {e2e_p50 / in_process_p50:.2f}")


if __name__ == "__main__":
    main()
