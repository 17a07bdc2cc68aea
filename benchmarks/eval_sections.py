"""Section order of whole consultations, against hand labels, through the parse ``/parse`` runs.

``evaluation/sections/labels.jsonl`` gives, per consultation, the first line of each section
and whether a closing summary back to the patient exists (rules: ``LABELLING.md`` beside it;
PriMock57 days 2 and 4 and ACI-Bench encounters only). Per consultation this prints the
detected order (first appearance of each section) beside the labelled one, their LCS ratio
(LCS / labelled length, the structure score's order term), whether the summary was found,
and for each labelled section how many utterances its detected start lies from the label.

``--cross-validate`` measures the closing's constants (``parsing/closing.py``) honestly:
leaving one consultation out, the setting of a small grid with the most closings found and
then the best mean LCS ratio on the other 13 is applied to the one left out; only those
held-out results are printed.

    python benchmarks/eval_sections.py --corpus ../shared/corpus [--cross-validate]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import product
from pathlib import Path

from document_parser.parsing import closing
from document_parser.parsing.pipeline import parse_transcript
from medgrade_shared.models.transcript import ParsedTranscript
from scoring.evaluators.structure import lcs_length

LABELS = Path(__file__).resolve().parents[1] / "evaluation" / "sections" / "labels.jsonl"
ACI_FILES = ("aci-bench/aci-bench-train.csv", "aci-bench/aci-bench-valid.csv")
NEAR = 3  # utterances: a detected start this close to the label counts as found there
SUMMARY_SECTION = "Summary"
CLOSING_GRID = {"LONG_STATEMENT_WORDS": (8, 10, 15, 20), "EARLIEST": (0.4, 0.5, 0.6), "MIN_MARGIN": (1.0, 2.0)}


def transcripts(corpus: Path) -> dict[str, str]:
    found = {path.stem: path.read_text(encoding="utf-8") for path in sorted((corpus / "primock57").glob("day*.txt"))}
    for name in ACI_FILES:
        with (corpus / name).open(newline="", encoding="utf-8") as handle:
            found.update({row["encounter_id"]: row["dialogue"] for row in csv.DictReader(handle)})
    return found


def labelled_index(parsed: ParsedTranscript, quote: str, after: int) -> int:
    """The utterance whose text starts with the label's quote (the first at or after ``after``)."""
    for utterance in parsed.utterances[after:]:
        if utterance.text.startswith(quote):
            return utterance.index
    raise ValueError(f"no utterance starts with {quote!r}")


def first_starts(parsed: ParsedTranscript) -> dict[str, int]:
    starts: dict[str, int] = {}
    for section in parsed.sections:
        starts.setdefault(section.name, section.start_index)
    return starts


@contextmanager
def closing_constants(setting: dict[str, float]) -> Iterator[None]:
    """The closing's module constants set to ``setting`` for the duration (the parse reads them)."""
    saved = {name: getattr(closing, name) for name in setting}
    for name, value in setting.items():
        setattr(closing, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(closing, name, value)


def outcome(label: dict, text: str) -> tuple[float, bool]:
    """(LCS ratio, closing summary found) of one consultation as the parse reads it now."""
    parsed = parse_transcript(text, "auto")
    expected = [b["section"] for b in label["boundaries"]]
    return lcs_length(parsed.detected_order, expected) / len(expected), SUMMARY_SECTION in parsed.detected_order


def cross_validate(labels: list[dict], texts: dict[str, str]) -> int:
    settings = [dict(zip(CLOSING_GRID, values, strict=True)) for values in product(*CLOSING_GRID.values())]
    table = []  # per setting, per consultation: (ratio, found)
    for setting in settings:
        with closing_constants(setting):
            table.append([outcome(label, texts[label["id"]]) for label in labels])
    held = []
    for i, label in enumerate(labels):
        def quality(row: list[tuple[float, bool]], i: int = i) -> tuple[int, float]:
            others = [cell for j, cell in enumerate(row) if j != i]
            return sum(found for _, found in others), statistics.mean(ratio for ratio, _ in others)
        best = max(range(len(settings)), key=lambda k: quality(table[k]))
        held.append(table[best][i])
        print(f"{label['id']:20s} chosen on the other {len(labels) - 1}: {settings[best]}  "
              f"LCS {table[best][i][0]:.2f}  summary {'found' if table[best][i][1] else 'MISSED'}")
    have = [found for (_, found), label in zip(held, labels, strict=True) if label["has_summary"]]
    print(f"\nheld out (leave one consultation out): mean LCS ratio {statistics.mean(r for r, _ in held):.3f}; "
          f"closing summary found in {sum(have)}/{len(have)}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder with primock57/ and aci-bench/")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--cross-validate", action="store_true", help="choose the closing's constants leaving "
                        "one consultation out and report the held-out figures only")
    args = parser.parse_args()
    texts = transcripts(args.corpus)
    if args.cross_validate:
        return cross_validate([json.loads(line) for line in args.labels.read_text(encoding="utf-8").splitlines()],
                              texts)
    ratios, offsets, summaries = [], [], []
    for line in args.labels.read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        parsed = parse_transcript(texts[label["id"]], "auto")
        expected = [b["section"] for b in label["boundaries"]]
        ratio = lcs_length(parsed.detected_order, expected) / len(expected)
        starts = first_starts(parsed)
        position, gaps = 0, []
        for boundary in label["boundaries"]:
            position = labelled_index(parsed, boundary["quote"], position)
            if boundary["section"] in starts:
                gaps.append(abs(starts[boundary["section"]] - position))
        found = SUMMARY_SECTION in parsed.detected_order
        ratios.append(ratio)
        offsets.extend(gaps)
        if label["has_summary"]:
            summaries.append(found)
        print(f"{label['id']:20s} LCS {ratio:4.2f}  summary {'found' if found else 'MISSED':6s}  "
              f"labelled {'>'.join(expected)}\n{'':20s} {'':24s} detected {'>'.join(parsed.detected_order)}")
    near = sum(gap <= NEAR for gap in offsets)
    print(f"\nconsultations: {len(ratios)}  mean LCS ratio {statistics.mean(ratios):.3f}  "
          f"(min {min(ratios):.2f})")
    print(f"closing summary found in {sum(summaries)}/{len(summaries)} consultations that have one")
    print(f"labelled sections also detected: {len(offsets)}; their detected start within {NEAR} utterances "
          f"of the label: {near}/{len(offsets)}; median distance {statistics.median(offsets):.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
