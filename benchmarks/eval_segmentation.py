"""Section accuracy of the parser's evidence on MTS-Dialog snippets.

Each MTS-Dialog row is one doctor-patient snippet that produced one section of a clinical
note. The snippet is parsed as a transcript and its section predicted from the parser's own
section evidence (``document_parser.parsing.evidence``): each utterance adds the square root
of its evidence for each section (so one long list of symptoms does not outvote the rest),
the interviewer's at full weight and everyone else's at ``ANSWER_WEIGHT`` (the topic is often
only in the answer: "I take Aciphex"); an utterance of at least ``MIN_WORDS`` words naming no
topic adds ``UNNAMED_TOPIC`` to HPI (talk about the complaint itself, the default topic of a
consultation). The strongest section wins. These weights, and the lexicon's phrases, were
chosen on the training file only; the validation file is only measured.

Headers mapped: GENHX -> HPI, CC, ROS, PASTMEDICALHX and PASTSURGICAL -> PMH, MEDICATIONS
-> MEDS, ALLERGY -> ALLERGIES, FAM/SOCHX -> SH or FH (either counts). Rows with other headers
(ASSESSMENT, EXAM, DIAGNOSIS, DISPOSITION, PLAN, EDCOURSE, IMMUNIZATIONS, IMAGING, GYNHX,
PROCEDURES, OTHER_HISTORY, LABS) have no section in the parser's scheme and are left out;
the test sets of MTS-Dialog are not used. Data: CC BY 4.0, Ben Abacha et al., EACL 2023.

    python benchmarks/eval_segmentation.py --corpus /work/shared/corpus/mts-dialog
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections import Counter
from pathlib import Path

from document_parser.parsing.errors import TranscriptError
from document_parser.parsing.evidence import section_evidence
from document_parser.parsing.pipeline import parse_transcript

FILES = ("MTS-Dialog-TrainingSet.csv", "MTS-Dialog-ValidationSet.csv")
HEADERS = {"GENHX": {"HPI"}, "CC": {"CC"}, "ROS": {"ROS"}, "PASTMEDICALHX": {"PMH"}, "PASTSURGICAL": {"PMH"},
           "MEDICATIONS": {"MEDS"}, "ALLERGY": {"ALLERGIES"}, "FAM/SOCHX": {"SH", "FH"}}
ANSWER_WEIGHT = 0.5
UNNAMED_TOPIC = 0.5
MIN_WORDS = 4  # a bare "No." or "Okay." is no talk about anything
DEFAULT = "HPI"


def predict(dialogue: str) -> str:
    try:
        parsed = parse_transcript(dialogue, "text")
    except TranscriptError:
        return DEFAULT
    totals: Counter[str] = Counter()
    for utterance in parsed.utterances:
        weight = 1.0 if utterance.role == "interviewer" else ANSWER_WEIGHT
        scores = section_evidence(utterance.match_text).scores
        if not scores and len(utterance.match_text.split()) >= MIN_WORDS:
            totals[DEFAULT] += UNNAMED_TOPIC
        for section, score in scores.items():
            totals[section] += weight * math.sqrt(score)
    return max(totals, key=totals.__getitem__) if totals else DEFAULT


def evaluate(path: Path) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["section_header"] in HEADERS]
    confusion: Counter[tuple[str, str]] = Counter()
    for row in rows:
        confusion[row["section_header"], predict(row["dialogue"])] += 1
    correct = sum(n for (header, got), n in confusion.items() if got in HEADERS[header])
    print(f"{path.name}: accuracy {correct / len(rows):.1%} ({correct}/{len(rows)} snippets)")
    for header, sections in HEADERS.items():
        predicted = Counter({got: n for (h, got), n in confusion.items() if h == header})
        total = sum(predicted.values())
        right = sum(n for got, n in predicted.items() if got in sections)
        spread = ", ".join(f"{got} {n}" for got, n in predicted.most_common())
        print(f"  {header:14s} {right:4d}/{total:<4d} {right / total if total else 0:6.1%}   predicted: {spread}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder with the MTS-Dialog CSV files")
    args = parser.parse_args()
    for name in FILES:
        path = args.corpus / name
        if not path.is_file():
            parser.error(f"{path} not found")
        evaluate(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
