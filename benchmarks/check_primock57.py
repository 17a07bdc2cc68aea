"""Parse every PriMock57 consultation as plain text and as WebVTT and check the two agree.

Per consultation: utterance counts (the .txt's tag-only lines, e.g. ``<UNIN/>`` alone, have
no cue in the .vtt and are left out of its count), whether speakers and words agree line by
line and starts to the second (the .txt truncates the start to whole seconds, the .vtt rounds
it to milliseconds, so 4.9996 s is ``[00:04]`` in one and 5.000 in the other), and the
section sequence, which must start with CC or HPI.

    python benchmarks/check_primock57.py --corpus /work/shared/corpus/primock57
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from document_parser.parsing.pipeline import parse_transcript
from medgrade_shared.errors import DomainError
from medgrade_shared.models.transcript import ParsedTranscript

ABBREVIATION = {"Summary": "Sum"}
ROUNDING_S = 0.0005


def _lines(parsed: ParsedTranscript) -> list[tuple[str, str]]:
    return [(u.speaker, u.match_text) for u in parsed.utterances if u.match_text]


def _same_second(truncated: ParsedTranscript, rounded: ParsedTranscript) -> bool:
    starts = [(u.start or 0.0) for u in truncated.utterances if u.match_text]
    return all(0 <= (v.start or 0.0) - t < 1 + ROUNDING_S
               for t, v in zip(starts, rounded.utterances, strict=False)) and len(starts) == len(rounded.utterances)


def check(txt: Path) -> tuple[bool, str]:
    try:
        as_text = parse_transcript(txt.read_text(encoding="utf-8"), "auto")
        as_vtt = parse_transcript(txt.with_suffix(".vtt").read_text(encoding="utf-8"), "auto")
    except DomainError as exc:
        return False, f"error {exc.code}: {exc.message}"
    text_lines, vtt_lines = _lines(as_text), _lines(as_vtt)
    same = text_lines == vtt_lines and _same_second(as_text, as_vtt)
    sections = [s.name for s in as_text.sections]
    vtt_sections = [s.name for s in as_vtt.sections]
    good = (as_text.format, as_vtt.format) == ("text", "vtt") and same and sections[0] in ("CC", "HPI")
    order = ">".join(ABBREVIATION.get(name, name) for name in as_text.detected_order)
    return good, (f"txt {len(as_text.utterances):3d} ({len(text_lines):3d} with words)  vtt {len(as_vtt.utterances):3d}"
                  f"  lines {'same' if same else 'DIFFER'}  sections {'same' if sections == vtt_sections else 'differ'}"
                  f"  {order}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder with dayN_consultationMM.txt and .vtt")
    args = parser.parse_args()
    files = sorted(args.corpus.glob("day*_consultation*.txt"))
    if not files:
        parser.error(f"no dayN_consultationMM.txt files in {args.corpus}")
    passed = 0
    for txt in files:
        good, line = check(txt)
        passed += good
        print(f"{'ok  ' if good else 'FAIL'} {txt.stem:22s} {line}")
    print(f"total: {passed}/{len(files)} consultations parse in both formats with the same utterances "
          f"and sections starting with CC or HPI")
    return 0 if passed == len(files) else 1


if __name__ == "__main__":
    sys.exit(main())
