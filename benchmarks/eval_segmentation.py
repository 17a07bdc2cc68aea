"""Section accuracy of the parser's evidence on MTS-Dialog snippets.

Each MTS-Dialog row is one doctor-patient snippet that produced one section of a clinical
note. The snippet is parsed as a transcript and its section predicted by the parser's snippet
classifier (``document_parser.parsing.snippets``): the parser's own section evidence summed
over the utterances, and the words used, weighted by a softmax regression learned from the
training file only (``train_snippet_sections.py``, which reports a 5-fold cross-validation on
that file: the weights and hyperparameters were chosen by it; the validation file is only
measured). ``lexicon only`` is the same evidence without learned weights (the section with
the most evidence wins), the method before the weights were learned.

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
import json
import sys
from collections import Counter
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

from document_parser.parsing import snippets
from document_parser.parsing.errors import TranscriptError
from document_parser.parsing.pipeline import parse_transcript

TRAINING_FILE = "MTS-Dialog-TrainingSet.csv"
FILES = (TRAINING_FILE, "MTS-Dialog-ValidationSet.csv")
HEADERS = {"GENHX": {"HPI"}, "CC": {"CC"}, "ROS": {"ROS"}, "PASTMEDICALHX": {"PMH"}, "PASTSURGICAL": {"PMH"},
           "MEDICATIONS": {"MEDS"}, "ALLERGY": {"ALLERGIES"}, "FAM/SOCHX": {"SH", "FH"}}


def predict(dialogue: str) -> str:
    try:
        parsed = parse_transcript(dialogue, "text")
    except TranscriptError:
        return snippets.DEFAULT
    return snippets.snippet_section(parsed.utterances)


def predict_lexicon_only(dialogue: str) -> str:
    try:
        parsed = parse_transcript(dialogue, "text")
    except TranscriptError:
        return snippets.DEFAULT
    return snippets.lexicon_section(snippets.evidence_totals(parsed.utterances))


def evaluate(path: Path, method: Callable[[str], str], name: str, detail: bool) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["section_header"] in HEADERS]
    confusion: Counter[tuple[str, str]] = Counter()
    for row in rows:
        confusion[row["section_header"], method(row["dialogue"])] += 1
    correct = sum(n for (header, got), n in confusion.items() if got in HEADERS[header])
    print(f"{path.name} ({name}): accuracy {correct / len(rows):.1%} ({correct}/{len(rows)} snippets)")
    if method is predict and path.name == TRAINING_FILE:
        cv = json.loads(files("document_parser.parsing.data").joinpath(snippets.MODEL_FILE).read_text())
        print(f"  in-sample: the weights were learned from this file; its {cv['cross_validation']['folds']}-fold "
              f"cross-validation gave {cv['cross_validation']['accuracy']:.1%}")
    if not detail:
        return
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
        evaluate(path, predict, "learned weights", detail=True)
        evaluate(path, predict_lexicon_only, "lexicon only", detail=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
