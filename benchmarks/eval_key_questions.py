"""Key-question detection against hand labels on 20 PriMock57 consultations.

The set (``evaluation/key_questions``) holds one rubric per presenting complaint, the mapping
of each consultation to its rubric (``consultations.json``) and one label per (consultation,
key question) (``labels.jsonl``): whether the doctor asked it and the 0-based index of the
FIRST doctor utterance that asks it. The transcripts are not copied into the set; they are
read from the corpus folder. Each consultation's .txt is parsed with the document parser
(``parse_transcript(text, "auto", None)``) and scored with the key-question evaluator
(``score_key_questions``); its ``details.questions[]`` are compared with the labels.

The header names the matcher and model in use (``matcher``, ``matcher_version``, ``model``,
``model_version`` from the result's details). Printed: precision, recall, F1, specificity and
MCC of "asked"; citation exactness (among true positives, the cited utterance_index equals the
labelled first_index) and strict precision and recall (a detection counts only when it also
cites that utterance); the mean absolute error, over consultations, between the key-question
score computed from the predictions and from the labels (score = sum of weights of asked
questions / sum of all weights, weight = critical_weight or noncritical_weight of the rubric's
policy); how well the ``confirmation`` flag agrees with the labels on true positives; how many
detections each method made (lexical, semantic, both); the same figures without the labels
marked borderline; a line per consultation; and every error (FP, FN, and true positives cited
at another utterance) with the question and the utterance.

    python benchmarks/eval_key_questions.py --corpus /work/shared/corpus/primock57
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

from document_parser.parsing.pipeline import parse_transcript
from medgrade_shared.models.rubric import Rubric
from scoring.evaluators.key_questions import score_key_questions
from scoring.semantic.model import load_encoder

DEFAULT_SET = Path(__file__).resolve().parents[1] / "evaluation" / "key_questions"
SNIPPET = 110
ENGINE_FIELDS = ("matcher", "matcher_version", "model", "model_version", "semantic_threshold", "semantic_margin")


@dataclass(frozen=True)
class Outcome:
    consultation: str
    question_id: str
    critical: bool
    weight: float
    label_asked: bool
    label_index: int | None
    borderline: bool
    confirmation: bool
    pred_asked: bool
    pred_index: int | None
    matched_phrase: str | None
    pred_confirmation: bool
    method: str | None


def _load_set(folder: Path) -> tuple[dict[str, str], dict[str, Rubric], dict[str, dict[str, dict]]]:
    mapping: dict[str, str] = json.loads((folder / "consultations.json").read_text(encoding="utf-8"))
    rubrics = {rid: Rubric.model_validate_json((folder / "rubrics" / f"{rid}.json").read_text(encoding="utf-8"))
               for rid in sorted(set(mapping.values()))}
    labels: dict[str, dict[str, dict]] = {}
    with (folder / "labels.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                labels.setdefault(row["consultation"], {})[row["question_id"]] = row
    for consultation, rubric_id in mapping.items():
        wanted = {q.id for q in rubrics[rubric_id].key_questions}
        got = set(labels.get(consultation, {}))
        if wanted != got:
            raise SystemExit(f"{consultation}: labels do not cover the key questions of {rubric_id} exactly "
                             f"(missing {sorted(wanted - got)}, unknown {sorted(got - wanted)})")
    return mapping, rubrics, labels


def _evaluate(consultation: str, rubric: Rubric, labels: dict[str, dict], text: str,
              engine: dict[str, str]) -> list[Outcome]:
    parsed = parse_transcript(text, "auto", None)
    details = score_key_questions(rubric, parsed, load_encoder()).details
    engine.update({field: str(details[field]) for field in ENGINE_FIELDS if field in details})
    predicted = {q["id"]: q for q in details["questions"]}
    policy = rubric.key_questions_policy
    outcomes = []
    for question in rubric.key_questions:
        label, pred = labels[question.id], predicted[question.id]
        outcomes.append(Outcome(
            consultation=consultation, question_id=question.id, critical=question.critical,
            weight=policy.critical_weight if question.critical else policy.noncritical_weight,
            label_asked=bool(label["asked"]), label_index=label.get("first_index"),
            borderline=bool(label.get("borderline")), confirmation=bool(label.get("confirmation")),
            pred_asked=bool(pred["asked"]), pred_index=pred.get("utterance_index"),
            matched_phrase=pred.get("matched_phrase"), pred_confirmation=bool(pred.get("confirmation")),
            method=pred.get("method")))
    return outcomes


def _score(outcomes: list[Outcome], predicted: bool) -> float:
    total = sum(o.weight for o in outcomes)
    asked = sum(o.weight for o in outcomes if (o.pred_asked if predicted else o.label_asked))
    return asked / total if total else 1.0


def _ratio(num: float, den: float) -> float:
    return num / den if den else float("nan")


def _metrics(outcomes: list[Outcome]) -> dict[str, float]:
    tp = sum(o.label_asked and o.pred_asked for o in outcomes)
    fp = sum(not o.label_asked and o.pred_asked for o in outcomes)
    fn = sum(o.label_asked and not o.pred_asked for o in outcomes)
    tn = sum(not o.label_asked and not o.pred_asked for o in outcomes)
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    denominator = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    exact = sum(o.label_asked and o.pred_asked and o.pred_index == o.label_index for o in outcomes)
    return {
        "n": len(outcomes), "tp": tp, "fp": fp, "fn": fn, "tn": tn,
        "precision": precision, "recall": recall,
        "f1": _ratio(2 * precision * recall, precision + recall) if tp else 0.0,
        "specificity": _ratio(tn, tn + fp),
        "mcc": (tp * tn - fp * fn) / denominator if denominator else 0.0,
        "citation_exact": _ratio(exact, tp), "citation_exact_n": exact,
        # strict: a detection counts only when it cites the labelled first utterance
        "strict_precision": _ratio(exact, tp + fp), "strict_recall": _ratio(exact, tp + fn),
    }


def _print_metrics(title: str, outcomes: list[Outcome]) -> None:
    m = _metrics(outcomes)
    by_consultation: dict[str, list[Outcome]] = {}
    for o in outcomes:
        by_consultation.setdefault(o.consultation, []).append(o)
    mae = sum(abs(_score(os, True) - _score(os, False)) for os in by_consultation.values()) / len(by_consultation)
    print(f"{title}: {m['n']} labels ({m['tp'] + m['fn']} asked, {m['fp'] + m['tn']} not asked)")
    print(f"  TP {m['tp']}  FP {m['fp']}  FN {m['fn']}  TN {m['tn']}")
    print(f"  precision {m['precision']:.3f}  recall {m['recall']:.3f}  F1 {m['f1']:.3f}  "
          f"specificity {m['specificity']:.3f}  MCC {m['mcc']:.3f}")
    print(f"  citation exactness {m['citation_exact']:.3f} ({m['citation_exact_n']}/{m['tp']} true positives "
          f"cite the labelled first utterance)")
    print(f"  strict (asked and cited at the labelled utterance): precision {m['strict_precision']:.3f}  "
          f"recall {m['strict_recall']:.3f}")
    print(f"  key-question score MAE (predicted vs labelled, per consultation) {mae:.3f}")
    both = [o for o in outcomes if o.label_asked and o.pred_asked]
    flagged = sum(o.pred_confirmation for o in both)
    right = sum(o.pred_confirmation and o.confirmation for o in both)
    labelled = sum(o.confirmation for o in both)
    methods = {name: sum(o.method == name for o in outcomes if o.pred_asked) for name in ("lexical", "semantic",
                                                                                           "both")}
    print(f"  confirmation flag on true positives: precision {_ratio(right, flagged):.3f}  recall "
          f"{_ratio(right, labelled):.3f} ({right} right of {flagged} flagged, {labelled} labelled)")
    print(f"  method of the detections: {', '.join(f'{k} {v}' for k, v in methods.items())}")


def _line(lines: list[str], index: int | None) -> str:
    if index is None or not 0 <= index < len(lines):
        return "-"
    text = lines[index]
    return f"#{index} {text[:SNIPPET]}{'...' if len(text) > SNIPPET else ''}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder with the PriMock57 dayN_consultationMM.txt")
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="evaluation set folder (default: %(default)s)")
    args = parser.parse_args()
    for needed in ("consultations.json", "labels.jsonl", "rubrics"):
        if not (args.set / needed).exists():
            parser.error(f"{args.set / needed} not found")
    mapping, rubrics, labels = _load_set(args.set)

    outcomes: list[Outcome] = []
    engine: dict[str, str] = {}
    texts: dict[str, list[str]] = {}
    for consultation in sorted(mapping):
        path = args.corpus / f"{consultation}.txt"
        if not path.is_file():
            parser.error(f"{path} not found")
        text = path.read_text(encoding="utf-8")
        texts[consultation] = text.splitlines()
        outcomes += _evaluate(consultation, rubrics[mapping[consultation]], labels[consultation], text, engine)

    print(f"Key-question detection, {len(mapping)} consultations, {len(rubrics)} rubrics, "
          f"scoring.evaluators.key_questions: {', '.join(f'{k} {v}' for k, v in engine.items())}\n")
    _print_metrics("All labels", outcomes)
    _print_metrics("Without borderline labels", [o for o in outcomes if not o.borderline])
    _print_metrics("Critical questions only", [o for o in outcomes if o.critical])

    print("\nPer consultation:  TP FP FN TN  exact-cite  score pred/label")
    for consultation in sorted(mapping):
        os = [o for o in outcomes if o.consultation == consultation]
        m = _metrics(os)
        print(f"  {consultation}  {mapping[consultation]:27s} {m['tp']:3d}{m['fp']:3d}{m['fn']:3d}{m['tn']:3d}"
              f"  {m['citation_exact_n']:3d}/{m['tp']:<3d}    {_score(os, True):.2f}/{_score(os, False):.2f}")

    print("\nErrors (FP: predicted asked, labelled not asked; FN: the reverse; CITE: both asked, other utterance):")
    for o in outcomes:
        lines = texts[o.consultation]
        flags = "".join([" [borderline]" if o.borderline else "", " [confirmation]" if o.confirmation else ""])
        head = f"  {o.consultation} {o.question_id}{' (critical)' if o.critical else ''}{flags}"
        if o.pred_asked and not o.label_asked:
            print(f"FP{head}: matched {o.matched_phrase!r} in {_line(lines, o.pred_index)}")
        elif o.label_asked and not o.pred_asked:
            print(f"FN{head}: labelled {_line(lines, o.label_index)}")
        elif o.label_asked and o.pred_index != o.label_index:
            print(f"CITE{head}: labelled {_line(lines, o.label_index)}\n"
                  f"      predicted (matched {o.matched_phrase!r}) {_line(lines, o.pred_index)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
