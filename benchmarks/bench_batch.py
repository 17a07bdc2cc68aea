"""A batch against the same gradings sent one by one, and what a batch costs interactive users.

Sends the PriMock57 consultations of days 2 and 4 (days 1, 3 and 5 are reserved) through the
gateway of a running suite (``scripts/suite.py start``):

1. one by one to ``POST /grade`` at concurrency 1, 2 and 4: the best wall time;
2. as one ``POST /batches``: wall time until the batch is complete;
3. ``--interactive`` ``POST /grade`` calls of the stroke sample at concurrency 2, alone and
   while a second batch of the same consultations (other student ids) runs: p50 and p95.

    .venv/bin/python benchmarks/bench_batch.py --corpus ../shared/corpus/primock57 \\
        --gateway http://127.0.0.1:8080 --api-key-file .run/demo-api-key [--items 57]

Bounded: every phase has a count and a time limit (``--timeout-s``).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from pathlib import Path

import httpx

BENCH_DAYS = ("day2", "day4")


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def consultations(corpus: Path, items: int | None) -> dict[str, str]:
    """The consultations by name; with ``items``, that many, taking them round again under new
    names (a 57-item cohort from the 20 that may be used)."""
    files = sorted(p for day in BENCH_DAYS for p in corpus.glob(f"{day}_consultation*.txt"))
    if not files:
        raise SystemExit(f"no {'/'.join(BENCH_DAYS)}_consultationNN.txt files in {corpus}")
    texts = {p.stem: p.read_text(encoding="utf-8") for p in files}
    if items is None:
        return texts
    names = list(texts)
    return {f"{names[i % len(names)]}-r{i // len(names)}": texts[names[i % len(names)]] for i in range(items)}


async def check_csv(client: httpx.AsyncClient, status: dict, students: list[str]) -> str:
    """What is wrong with the batch's CSV (one row per student, in order, a score or an error each), or ''."""
    import csv
    import io

    response = await client.get(status["csv_url"])
    if response.status_code != 200 or not response.content.startswith(b"\xef\xbb\xbf"):
        return f"CSV answered {response.status_code} without a byte order mark"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    if [r["student_id"] for r in rows] != students:
        return "CSV rows are not the batch's students in order"
    if any(not (r["overall"] or r["error"]) for r in rows):
        return "a CSV row has neither a score nor an error"
    return ""


async def grade_all(client: httpx.AsyncClient, rubric: str, texts: dict[str, str], concurrency: int,
                    run: str) -> tuple[float, int]:
    gate = asyncio.Semaphore(concurrency)
    failures = 0

    async def one(student: str, text: str) -> None:
        nonlocal failures
        async with gate:
            body = {"rubric_id": rubric, "student_id": f"{run}-{student}", "submission": {"oral_transcript": text}}
            response = await client.post("/grade", json=body)
            failures += response.status_code != 200

    started = time.perf_counter()
    await asyncio.gather(*(one(s, t) for s, t in texts.items()))
    return time.perf_counter() - started, failures


async def run_batch(client: httpx.AsyncClient, rubric: str, texts: dict[str, str], run: str,
                    timeout_s: float) -> tuple[float, dict]:
    items = [{"student_id": f"{run}-{s}", "transcript": t} for s, t in texts.items()]
    started = time.perf_counter()
    response = await client.post("/batches", json={"rubric_id": rubric, "items": items})
    response.raise_for_status()
    location = response.headers["Location"]
    while time.perf_counter() - started < timeout_s:
        status = (await client.get(location)).json()
        if status["state"] == "complete":
            return time.perf_counter() - started, status
        await asyncio.sleep(0.5)
    raise SystemExit(f"the batch did not complete within {timeout_s} s")


async def interactive(client: httpx.AsyncClient, rubric: str, text: str, n: int, concurrency: int,
                      until: asyncio.Event | None = None) -> list[float]:
    """Up to ``n`` gradings at ``concurrency``; stops early once ``until`` is set."""
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(i: int) -> None:
        async with gate:
            if until is not None and until.is_set():
                return
            started = time.perf_counter()
            body = {"rubric_id": rubric, "student_id": f"interactive-{i}", "submission": {"oral_transcript": text}}
            response = await client.post("/grade", json=body)
            if response.status_code == 200:
                latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(one(i) for i in range(n)))
    return latencies


def describe(label: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return f"{label:<28} n={len(ms):<4} p50 {statistics.median(ms):7.0f} ms  p95 {percentile(ms, 95):7.0f} ms"


async def main(args: argparse.Namespace) -> None:
    texts = consultations(args.corpus, args.items)
    sample = args.interactive_transcript.read_text(encoding="utf-8")
    headers = {"X-API-Key": args.api_key_file.read_text().strip()}
    async with httpx.AsyncClient(base_url=args.gateway, headers=headers, timeout=60) as client:
        run = uuid.uuid4().hex[:6]
        print(f"{len(texts)} items from the consultations of {', '.join(BENCH_DAYS)}, rubric {args.rubric}")
        best = None
        for concurrency in (1, 2, 4):
            wall, failures = await grade_all(client, args.rubric, texts, concurrency, f"{run}-c{concurrency}")
            print(f"one by one, concurrency {concurrency}: {wall:6.1f} s  ({failures} failed)")
            best = wall if best is None else min(best, wall)
        wall, status = await run_batch(client, args.rubric, texts, f"{run}-batch", args.timeout_s)
        print(f"batch:                      {wall:6.1f} s  (done {status['done']}, failed {status['failed']}, "
              f"needs review {status['needs_review']})  = {wall / best:.2f} x the best one-by-one")
        problem = await check_csv(client, status, [f"{run}-batch-{s}" for s in texts])
        print(f"CSV: {problem or f'{len(texts)} rows, one per student in order, each with a score or an error'}")

        alone = await interactive(client, args.rubric, sample, args.interactive, 2)
        print(describe("interactive /grade alone", alone))
        finished = asyncio.Event()

        async def batch_then_stop() -> float:
            elapsed, _ = await run_batch(client, args.rubric, texts, f"{run}-during", args.timeout_s)
            finished.set()
            return elapsed

        batch_task = asyncio.create_task(batch_then_stop())
        await asyncio.sleep(1.0)  # the batch's workers are busy
        during = await interactive(client, args.rubric, sample, args.interactive, 2, until=finished)
        await batch_task
        print(describe("interactive /grade in batch", during))
        print(f"p95 during the batch / alone: {percentile(during, 95) / percentile(alone, 95):.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True, help="the primock57 folder (dayN_consultationNN.txt)")
    parser.add_argument("--gateway", default="http://127.0.0.1:8080")
    parser.add_argument("--api-key-file", type=Path, default=Path(".run/demo-api-key"))
    parser.add_argument("--rubric", default="chest_pain_v1")
    parser.add_argument("--interactive-transcript", type=Path, default=Path("samples/stroke_interview.txt"))
    parser.add_argument("--interactive", type=int, default=20, help="interactive gradings per phase (at most)")
    parser.add_argument("--items", type=int, help="batch size (default: one item per consultation)")
    parser.add_argument("--timeout-s", type=float, default=600)
    asyncio.run(main(parser.parse_args()))
