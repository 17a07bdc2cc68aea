"""Key-question component latency on a real consultation, one math thread, after warm-up.

Parses one PriMock57 consultation (default ``day4_consultation10``: about 12 minutes, 77
doctor turns) with the document parser and scores it against a rubric of the key-question
evaluation set (default ``pm57_abdominal_pain_v1``, 14 key questions) with
``score_key_questions`` and the real all-MiniLM-L6-v2 model, as the scoring service does per
request: the rubric's phrase embeddings are cached after the first call (per rubric version),
every call splits and batch-encodes all interviewer sentences in one call. The model's cache of
sentence vectors is emptied before each timed call, so each is a first grading of the
consultation; the same consultation graded again (cache warm: another rubric, a regrade) is
timed after them.

Printed: the consultation's size, model load time, per-call wall time p50/p95/max and CPU
time p50 (user+sys of this process: robust to other load on the machine), the process's peak
RSS (``resource.getrusage``) and, with ``--pin``, the core the process was pinned to.

    python benchmarks/bench_key_questions.py --corpus /work/shared/corpus/primock57
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import get_args

from document_parser.parsing.pipeline import parse_transcript
from medgrade_shared.models.rubric import Rubric
from scoring.evaluators.key_questions import score_key_questions
from scoring.semantic.model import Precision, load_encoder
from scoring.semantic.sentences import interviewer_sentences

DEFAULT_SET = Path(__file__).resolve().parents[1] / "evaluation" / "key_questions"


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder with the PriMock57 dayN_consultationMM.txt")
    parser.add_argument("--consultation", default="day4_consultation10")
    parser.add_argument("--rubric", type=Path, default=DEFAULT_SET / "rubrics" / "pm57_abdominal_pain_v1.json")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--pin", type=int, default=None, help="pin the process to this CPU core")
    parser.add_argument("--precision", choices=get_args(Precision), default="float32",
                        help="the sentence-embedding model's precision (default: %(default)s)")
    args = parser.parse_args()
    if args.pin is not None:
        os.sched_setaffinity(0, {args.pin})

    path = args.corpus / f"{args.consultation}.txt"
    if not path.is_file():
        parser.error(f"{path} not found")
    rubric = Rubric.model_validate_json(args.rubric.read_text(encoding="utf-8"))
    parsed = parse_transcript(path.read_text(encoding="utf-8"), "auto", None)
    doctor_turns = sum(u.role == "interviewer" for u in parsed.utterances)
    duration = max((u.end or u.start or 0.0) for u in parsed.utterances)

    started = time.perf_counter()
    encoder = load_encoder(args.precision)
    load_seconds = time.perf_counter() - started

    for _ in range(args.warmup):
        encoder.cache.clear()
        score_key_questions(rubric, parsed, encoder)
    wall, cpu = [], []
    for _ in range(args.runs):
        encoder.cache.clear()
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        result = score_key_questions(rubric, parsed, encoder)
        wall.append(time.perf_counter() - wall_start)
        cpu.append(time.process_time() - cpu_start)
    again = []
    for _ in range(args.runs):
        wall_start = time.perf_counter()
        score_key_questions(rubric, parsed, encoder)
        again.append(time.perf_counter() - wall_start)

    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    asked = sum(q["asked"] for q in result.details["questions"])
    print(f"consultation {args.consultation}: {duration / 60:.1f} min, {len(parsed.utterances)} utterances, "
          f"{doctor_turns} doctor turns, {len(interviewer_sentences(parsed))} interviewer sentences")
    print(f"rubric {rubric.rubric_id} {rubric.version}: {len(rubric.key_questions)} key questions, {asked} asked")
    print(f"model {encoder.name} ({encoder.version}), one math thread, loaded in {load_seconds:.1f} s")
    print(f"key questions per call over {args.runs} runs after {args.warmup} warm-up: "
          f"p50 {statistics.median(wall) * 1000:.0f} ms, p95 {percentile(wall, 0.95) * 1000:.0f} ms, "
          f"max {max(wall) * 1000:.0f} ms wall; CPU p50 {statistics.median(cpu) * 1000:.0f} ms")
    print(f"graded again (sentence vectors cached): p50 {statistics.median(again) * 1000:.0f} ms, "
          f"p95 {percentile(again, 0.95) * 1000:.0f} ms wall")
    print(f"peak RSS {rss_mib:.0f} MiB" + (f", pinned to core {args.pin}" if args.pin is not None else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
