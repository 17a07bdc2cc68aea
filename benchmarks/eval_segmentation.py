"""Section accuracy on MTS-Dialog snippets, through the parse that ``/parse`` runs.

Each MTS-Dialog row is one doctor-patient snippet that produced one section of a clinical
note. The snippet is parsed as a transcript by ``parse_transcript`` (what ``POST /parse``
calls) and its section read from the result: the section that most of the interviewer's
utterances fall in (ties: the first in transcript order). That is the figure the product
delivers. For comparison the script also reports the excerpt classifier
(``snippet_classifier.py`` beside this script: the same section evidence summed over the snippet and
the words used, weighted by a softmax regression learned from the training file by
``train_snippet_sections.py``), which the product does not use, and its lexicon-only form.

``--choose`` measures the segmentation's fitted constant honestly (``evidence.UNNAMED_TOPIC``,
the weight of a question naming no topic towards the history of the complaint): a 5-fold
cross-validation on the training file chooses the best setting of a small grid on four folds
and scores it on the fifth; then the setting chosen on the whole training file is scored on
the validation file, which took no part in any choice.

Headers mapped: GENHX -> HPI, CC, ROS, PASTMEDICALHX and PASTSURGICAL -> PMH, MEDICATIONS
-> MEDS, ALLERGY -> ALLERGIES, FAM/SOCHX -> SH or FH (either counts). Rows with other headers
(ASSESSMENT, EXAM, DIAGNOSIS, DISPOSITION, PLAN, EDCOURSE, IMMUNIZATIONS, IMAGING, GYNHX,
PROCEDURES, OTHER_HISTORY, LABS) have no section in the parser's scheme and are left out;
the test sets of MTS-Dialog are not used. Data: CC BY 4.0, Ben Abacha et al., EACL 2023.

    python benchmarks/eval_segmentation.py --corpus ../shared/corpus/mts-dialog [--choose]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import product
from pathlib import Path

import snippet_classifier as snippets
from train_snippet_sections import folds

from document_parser.parsing import evidence
from document_parser.parsing.pipeline import parse_transcript
from medgrade_shared.errors import DomainError
from medgrade_shared.models.transcript import ParsedTranscript
from medgrade_shared.models.vocabulary import SECTION_NAMES

TRAINING_FILE = "MTS-Dialog-TrainingSet.csv"
VALIDATION_FILE = "MTS-Dialog-ValidationSet.csv"
HEADERS = {"GENHX": {"HPI"}, "CC": {"CC"}, "ROS": {"ROS"}, "PASTMEDICALHX": {"PMH"}, "PASTSURGICAL": {"PMH"},
           "MEDICATIONS": {"MEDS"}, "ALLERGY": {"ALLERGIES"}, "FAM/SOCHX": {"SH", "FH"}}
GRID = {(evidence, "UNNAMED_TOPIC"): (0.0, 0.5, 1.0, 1.5, 2.0)}
FOLDS = 5
SEED = 0

Row = dict[str, str]


def parsed_or_none(dialogue: str) -> ParsedTranscript | None:
    try:
        return parse_transcript(dialogue, "text")
    except DomainError:
        return None


def predict_parse(dialogue: str) -> str:
    """The section most of the interviewer's utterances are in, as ``/parse`` returns them."""
    parsed = parsed_or_none(dialogue)
    if parsed is None:
        return snippets.DEFAULT
    section_of = {i: s.name for s in parsed.sections for i in range(s.start_index, s.end_index + 1)}
    counts = Counter(section_of[u.index] for u in parsed.utterances if u.role == "interviewer")
    return counts.most_common(1)[0][0] if counts else snippets.DEFAULT


def predict_classifier(dialogue: str) -> str:
    parsed = parsed_or_none(dialogue)
    return snippets.snippet_section(parsed.utterances) if parsed else snippets.DEFAULT


def predict_lexicon_only(dialogue: str) -> str:
    parsed = parsed_or_none(dialogue)
    return snippets.lexicon_section(snippets.evidence_totals(parsed.utterances)) if parsed else snippets.DEFAULT


def read_rows(path: Path) -> list[Row]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["section_header"] in HEADERS]


def accuracy(rows: list[Row], method: Callable[[str], str] = predict_parse) -> float:
    return sum(method(row["dialogue"]) in HEADERS[row["section_header"]] for row in rows) / len(rows)


def report(path: Path, rows: list[Row], method: Callable[[str], str], name: str, detail: bool) -> None:
    confusion: Counter[tuple[str, str]] = Counter((row["section_header"], method(row["dialogue"])) for row in rows)
    correct = sum(n for (header, got), n in confusion.items() if got in HEADERS[header])
    print(f"{path.name} ({name}): accuracy {correct / len(rows):.1%} ({correct}/{len(rows)} snippets)")
    if method is predict_classifier and path.name == TRAINING_FILE:
        cv = json.loads(snippets.MODEL_PATH.read_text(encoding="utf-8"))
        print(f"  in-sample: the weights were learned from this file; its {cv['cross_validation']['folds']}-fold "
              f"cross-validation gave {cv['cross_validation']['accuracy']:.1%}")
    if not detail:
        return
    print(f"  {'labelled':14s} {'right':>9s}          " + " ".join(f"{s:>5.5s}" for s in SECTION_NAMES))
    for header, sections in HEADERS.items():
        predicted = Counter({got: n for (h, got), n in confusion.items() if h == header})
        total = sum(predicted.values())
        right = sum(n for got, n in predicted.items() if got in sections)
        print(f"  {header:14s} {right:4d}/{total:<4d} {right / total if total else 0:6.1%}   "
              + " ".join(f"{predicted[s]:5d}" for s in SECTION_NAMES))


@contextmanager
def constants(setting: dict[tuple[object, str], float]) -> Iterator[None]:
    """Module constants set to ``setting`` for the duration (the parse reads them at call time)."""
    saved = {key: getattr(*key) for key in setting}
    for (module, name), value in setting.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for (module, name), value in saved.items():
            setattr(module, name, value)


def settings() -> list[dict[tuple[object, str], float]]:
    return [dict(zip(GRID, values, strict=True)) for values in product(*GRID.values())]


def best_setting(rows: list[Row]) -> dict[tuple[object, str], float]:
    """The grid setting with the highest accuracy on ``rows`` (ties: the first in grid order)."""
    scored = []
    for setting in settings():
        with constants(setting):
            scored.append((accuracy(rows), setting))
    return max(scored, key=lambda pair: pair[0])[1]


def describe(setting: dict[tuple[object, str], float]) -> str:
    return ", ".join(f"{name} {value:g}" for (_, name), value in setting.items())


def choose(training: list[Row], validation: list[Row]) -> None:
    correct = 0.0
    for fold, (held, kept) in enumerate(folds(training, FOLDS, SEED)):
        setting = best_setting(kept)
        with constants(setting):
            fold_accuracy = accuracy(held)
        correct += fold_accuracy * len(held)
        print(f"  fold {fold + 1}/{FOLDS}: chose {describe(setting)}; held out {fold_accuracy:.1%} of {len(held)}")
    print(f"{FOLDS}-fold cross-validation on the training file (held-out folds only): "
          f"{correct / len(training):.1%} ({len(training)} snippets)")
    setting = best_setting(training)
    with constants(setting):
        print(f"chosen on the whole training file: {describe(setting)}; validation file {accuracy(validation):.1%} "
              f"({len(validation)} snippets)")
    shipped = {key: getattr(*key) for key in GRID}
    print(f"shipped: {describe(shipped)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder with the MTS-Dialog CSV files")
    parser.add_argument("--choose", action="store_true", help="choose the segmentation's constants by "
                        f"{FOLDS}-fold cross-validation on the training file and report the held-out figures")
    args = parser.parse_args()
    paths = [args.corpus / name for name in (TRAINING_FILE, VALIDATION_FILE)]
    for path in paths:
        if not path.is_file():
            parser.error(f"{path} not found")
    rows = {path: read_rows(path) for path in paths}
    if args.choose:
        choose(*rows.values())
        return 0
    for path, path_rows in rows.items():
        report(path, path_rows, predict_parse, "through /parse", detail=True)
        report(path, path_rows, predict_classifier, "excerpt classifier, not in /parse", detail=False)
        report(path, path_rows, predict_lexicon_only, "lexicon only, not in /parse", detail=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
