"""Parse time of the document parser: per PriMock57 consultation (plain text and WebVTT), and
for long transcripts of 1.25, 2.5 and 5 MB built by joining the consultations end to end, so
that the time can be seen to grow linearly (target: under 1 s for 5 MB of text), and for a
5 MB WebVTT file. Times are CPU
time of the best of three runs.

    python benchmarks/bench_parse.py --corpus /work/shared/corpus/primock57
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from document_parser.parsing.pipeline import parse_transcript
from medgrade_shared.models.transcript import MAX_TRANSCRIPT_SECONDS

MB = 1_000_000
SIZES_MB = (1.25, 2.5, 5.0)
REPEATS = 3


def best_of(run: Callable[[], object], repeats: int = REPEATS) -> float:
    """CPU seconds of the fastest of a few runs: parsing is single-threaded CPU work, and CPU
    time is what a busy machine (other processes on the same cores) disturbs least."""
    times = []
    for _ in range(repeats):
        started = time.process_time()
        run()
        times.append(time.process_time() - started)
    return min(times)


def long_transcript(consultations: list[str], size: int) -> str:
    """Consultations one after another, restamped so the clock keeps running: ``[HH:MM:SS]``.
    Several megabytes of speech run past the 24 hours a transcript may last
    (``MAX_TRANSCRIPT_SECONDS``), so the clock is slowed to end within them."""
    timed: list[tuple[int, str]] = []
    length, offset = 0, 0
    while length < size:
        for text in consultations:
            last = 0
            for line in text.splitlines():
                stamp, _, rest = line.partition("] ")
                minutes, seconds = stamp.lstrip("[").split(":")
                last = offset + int(minutes) * 60 + int(seconds)
                timed.append((last, rest))
                length += len(rest) + 12
            offset = last + 60
            if length >= size:
                break
    slower = max(1.0, timed[-1][0] / (MAX_TRANSCRIPT_SECONDS - 3600))
    lines = []
    for seconds, rest in timed:
        hours, remainder = divmod(int(seconds / slower), 3600)
        lines.append(f"[{hours:02d}:{remainder // 60:02d}:{remainder % 60:02d}] {rest}")
    return "\n".join(lines) + "\n"


def long_webvtt(consultations: list[str], size: int) -> str:
    """The WebVTT cues of the consultations one after another until ``size`` characters (the
    clock restarts with each; cues are sorted by start, which the reader does in any case)."""
    cues = [vtt.split("\n\n", 1)[1] for vtt in consultations]
    parts, length = ["WEBVTT\n\n"], 0
    while length < size:
        for block in cues:
            parts.append(block + "\n")
            length += len(block) + 1
            if length >= size:
                break
    return "".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True,
                        help="the PriMock57 folder (dayN_consultationMM.txt/.vtt)")
    args = parser.parse_args()
    files = sorted(args.corpus.glob("day*_consultation*.txt"))
    if not files:
        parser.error(f"no dayN_consultationMM.txt files in {args.corpus}")
    texts = [f.read_text(encoding="utf-8") for f in files]
    print(f"{'consultation':22s} {'bytes':>7s} {'txt ms':>7s} {'vtt ms':>7s}")
    per_file = []
    for path, text in zip(files, texts, strict=True):
        vtt = path.with_suffix(".vtt").read_text(encoding="utf-8")
        txt_s, vtt_s = best_of(lambda t=text: parse_transcript(t, "text")), best_of(lambda v=vtt: parse_transcript(v))
        per_file.append((txt_s, vtt_s))
        print(f"{path.stem:22s} {len(text):7d} {txt_s * 1000:7.1f} {vtt_s * 1000:7.1f}")
    print(f"median per consultation: txt {statistics.median(t for t, _ in per_file) * 1000:.1f} ms, "
          f"vtt {statistics.median(v for _, v in per_file) * 1000:.1f} ms")
    print(f"\n{'transcript':>14s} {'utterances':>10s} {'seconds':>8s} {'s per MB':>8s}")
    for size_mb in SIZES_MB:
        text = long_transcript(texts, int(size_mb * MB))
        utterances = len(parse_transcript(text, "text").utterances)
        seconds = best_of(lambda t=text: parse_transcript(t, "text"))
        print(f"{len(text) / MB:8.2f}MB txt {utterances:10d} {seconds:8.3f} {seconds / (len(text) / MB):8.3f}")
    vtt = long_webvtt([f.with_suffix(".vtt").read_text(encoding="utf-8") for f in files], int(SIZES_MB[-1] * MB))
    utterances = len(parse_transcript(vtt, "vtt").utterances)
    seconds = best_of(lambda: parse_transcript(vtt, "vtt"))
    print(f"{len(vtt) / MB:8.2f}MB vtt {utterances:10d} {seconds:8.3f} {seconds / (len(vtt) / MB):8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
