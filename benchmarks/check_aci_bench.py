"""Parse every ACI-Bench encounter (training and validation) and check turns and roles.

ACI-Bench writes one speaker per line as a bracket tag (``[doctor]``, ``[patient]``,
``[patient_guest]``); a line without a tag continues the turn before it, and a tag with no
words after it (a few lines have one) is no turn. Per encounter: the parse must give one
utterance per tagged turn, with the tag as speaker and the role the tag
names (``doctor*`` the interviewer, ``patient*`` the patient's side), and no warning that the
speakers were not read. Also printed: the utterances recognised as dictated notes (a
preamble naming the patient, a closing note for the record) and the parse time.

    python benchmarks/check_aci_bench.py --corpus ../shared/corpus/aci-bench
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from pathlib import Path

from document_parser.parsing.pipeline import parse_transcript

FILES = ("aci-bench-train.csv", "aci-bench-valid.csv")
_TAG = re.compile(r"^\[(?P<tag>[^\]]+)\][ \t]*(?P<text>.*)$")
ROLE_OF_TAG = {"doctor": "interviewer", "patient": "patient"}
SPEAKER_WARNINGS = {"monologue", "roles_inferred", "speakers_not_recognised", "no_interviewer"}


def expected_turns(dialogue: str) -> list[tuple[str, str]]:
    """(tag, role) per tagged line with words; untagged lines continue the turn before them."""
    turns = []
    for line in dialogue.splitlines():
        match = _TAG.match(line.strip())
        if match is not None and match.group("text").strip():
            tag = match.group("tag")
            turns.append((tag, ROLE_OF_TAG[tag.split("_")[0]]))
    return turns


def check(encounter_id: str, dialogue: str) -> tuple[bool, str]:
    started = time.perf_counter()
    parsed = parse_transcript(dialogue, "auto")
    elapsed_ms = (time.perf_counter() - started) * 1000
    got = [(u.speaker, u.role) for u in parsed.utterances]
    expected = expected_turns(dialogue)
    speaker_warnings = sorted(w.code for w in parsed.warnings if w.code in SPEAKER_WARNINGS)
    good = got == expected and parsed.format == "text" and not speaker_warnings
    wrong = sum(g != e for g, e in zip(got, expected, strict=False)) + abs(len(got) - len(expected))
    dictated = [u.index for u in parsed.utterances if u.dictated]
    return good, (f"{encounter_id}  turns {len(got):3d}/{len(expected):3d}  wrong {wrong:2d}  "
                  f"dictated {dictated}  {elapsed_ms:5.1f} ms  {' '.join(speaker_warnings)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder with aci-bench-train.csv and -valid.csv")
    args = parser.parse_args()
    missing = [name for name in FILES if not (args.corpus / name).is_file()]
    if missing:
        parser.error(f"not in {args.corpus}: {', '.join(missing)}")
    passed = total = 0
    for name in FILES:
        with (args.corpus / name).open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                good, line = check(row["encounter_id"], row["dialogue"])
                passed += good
                total += 1
                print(f"{'ok  ' if good else 'FAIL'} {row['dataset']:10s} {line}")
    print(f"total: {passed}/{total} encounters with every turn and role right")
    return 0 if passed == total else 1


if __name__ == "__main__":
    sys.exit(main())
