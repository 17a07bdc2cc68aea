"""Key-question detection against the hand labels of ``evaluation/key_questions``.

The set holds one rubric per presenting complaint, the mapping of each consultation to its rubric
(``consultations.json``) and one label per (consultation, key question) (``labels.jsonl``):
whether the doctor asked it and the index of the FIRST doctor utterance that asks it. The
transcripts are read from the corpus folder (``--corpus``, holding ``primock57/`` and
``aci-bench/``): ``dayN_consultationMM`` from ``primock57/<name>.txt``, ACI-Bench encounters
(``D2N001`` ...) from ``aci-bench/aci-bench-{train,valid}.csv``. Each is parsed with the document
parser and scored with ``score_key_questions``; its ``details.questions[]`` are compared with the
labels.

Sparse rubrics are the first-class measure: every figure is given for each ``--max-phrases``
value (default ``all 3 1``: every phrase, the first three, the first one; the label is always
kept), with a 95% bootstrap interval over consultations for F1 and the score MAE.

Printed per rubric cut and per subset (all labels, each corpus, without borderline labels,
critical questions only): precision, recall, F1, specificity, MCC, citation exactness (among true
positives, the cited utterance is the labelled first one) and the mean absolute error, over
consultations, of the key-question score (weights from the rubric's policy); with ``--errors``,
every FP, FN and mis-cited true positive.

``--cross-validate`` refits the decision model (:mod:`scoring.evaluators.decision`) leaving one
complaint out at a time (a complaint is the rubric id without its corpus prefix and version, so
``pm57_headache_v1`` and ``aci_headache_v1`` fall in one fold): each fold's model and threshold
are chosen on the other complaints only, and the figures are those of the held-out complaints.
``--fit PATH`` fits on every label and writes the model (the shipped one is
``services/scoring/src/scoring/evaluators/data/key_question_model.json``). Without either, the
shipped model is evaluated: in-sample for whatever it was fitted on.

    python benchmarks/eval_key_questions.py --corpus ../shared/corpus [--cross-validate] [--errors]

``--criterion`` names what the threshold is chosen for on the training labels: ``mcc`` (the
default, the shipped models), ``f1``, ``mae`` (the least score error per consultation and
rubric cut: what a grade reports) or ``mae-spec`` (the least score error among the thresholds
with a specificity of at least ``SPECIFICITY_FLOOR``, the key-question issue's floor).

A set may instead hold oral case presentations (``evaluation/presentations``: its ``set.json``
says ``"kind": "presentation"``, where its rubrics and its transcripts are): each label says whether
the presentation *covers* the question (states it, positive or negative) and the sentence that
first does; the transcripts are graded as presentations (``kind="presentation"``), the shipped
model is the presentation one, and citation exactness compares the cited sentence with it.

    python benchmarks/eval_key_questions.py --corpus ../shared/corpus --set evaluation/presentations --cross-validate

``--train-set FOLDER`` fits the decision model on another set's labels instead of this one's: once on
all of them, or with ``--cross-validate`` once per held-out complaint of this set, leaving out that
complaint and every consultation of the held-out fold (``evaluation/key_questions_blind`` grades
the PriMock57 consultations of ``evaluation/key_questions`` against rubrics written blind, so
its figures with ``--train-set evaluation/key_questions --cross-validate`` come from a fit that saw
neither the rubric, nor the complaint, nor the consultation).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import math
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

import numpy as np

from document_parser.parsing.pipeline import parse_transcript
from medgrade_shared.formulas import question_weight
from medgrade_shared.models.rubric import Rubric, SubmissionKind
from medgrade_shared.models.transcript import ParsedTranscript
from scoring.evaluators.decision import FEATURES, DecisionModel
from scoring.evaluators.key_questions import QuestionEvidence, question_evidence, score_key_questions
from scoring.semantic.model import Encoder, Precision, load_encoder

DEFAULT_SET = Path(__file__).resolve().parents[1] / "evaluation" / "key_questions"
SNIPPET = 110
ENGINE_FIELDS = ("matcher", "matcher_version", "model", "model_version", "decision_model", "decision_threshold")
BOOTSTRAP_SAMPLES = 1000
SPECIFICITY_FLOOR = 0.85  # the key-question issue's floor (#10)
THRESHOLDS = np.round(np.arange(0.05, 0.91, 0.05), 2)
REGULARISATION_C = 1.0


class CachedEncoder:
    """The real encoder with a text -> vector cache: the cuts and folds re-embed the same texts."""

    def __init__(self, encoder: Encoder) -> None:
        self._encoder, self._cache = encoder, {}
        self.name, self.version = encoder.name, encoder.version

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            self._cache.update(zip(missing, self._encoder.encode(missing), strict=True))
        if not texts:
            return np.zeros((0, self._encoder.dimension), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])


@dataclass(frozen=True)
class Consultation:
    name: str
    source: str  # primock57 or aci-bench (a presentation: aci-bench notes)
    complaint: str
    rubric: Rubric
    labels: dict[str, dict]  # question id -> label: ``asked`` and ``first_index`` (see _presentation_labels)
    parsed: ParsedTranscript
    lines: list[str]  # utterance texts by index, for the error listing
    kind: SubmissionKind = "interview"


@dataclass(frozen=True)
class EvaluationSet:
    """Where a set's files are: ``set.json`` (optional) names its kind, rubrics and transcripts."""

    folder: Path
    kind: SubmissionKind
    rubrics: Path
    transcripts: Path | None  # None: the transcripts are read from the corpus

    @classmethod
    def read(cls, folder: Path) -> EvaluationSet:
        settings = json.loads((folder / "set.json").read_text(encoding="utf-8")) if (folder / "set.json").is_file() \
            else {}
        transcripts = settings.get("transcripts")
        return cls(folder, settings.get("kind", "interview"), folder / settings.get("rubrics", "rubrics"),
                   folder / transcripts if transcripts else None)

    @property
    def mapping_file(self) -> Path:
        return self.folder / ("presentations.json" if self.kind == "presentation" else "consultations.json")


@dataclass(frozen=True)
class Outcome:
    consultation: str
    source: str
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


def complaint_of(rubric_id: str) -> str:
    """``pm57_headache_v1`` and ``aci_headache_v1`` -> ``headache``."""
    return re.sub(r"_v\d+$", "", rubric_id.split("_", 1)[1] if "_" in rubric_id else rubric_id)


def cut(rubric: Rubric, max_phrases: int | None) -> Rubric:
    """The rubric with each question's first ``max_phrases`` phrases (all when None)."""
    if max_phrases is None:
        return rubric
    questions = [q.model_copy(update={"phrases": q.phrases[:max_phrases]}) for q in rubric.key_questions]
    return rubric.model_copy(update={"key_questions": questions})


def _aci_dialogues(corpus: Path) -> dict[str, str]:
    dialogues = {}
    csv.field_size_limit(1 << 24)
    for path in sorted((corpus / "aci-bench").glob("aci-bench-*.csv")):
        if path.name.endswith("-metadata.csv"):
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            dialogues.update({row["encounter_id"]: row["dialogue"] for row in csv.DictReader(handle)})
    return dialogues


def _presentation_labels(labels: dict[str, dict], parsed: ParsedTranscript, name: str) -> dict[str, dict]:
    """A presentation's labels name the sentence that first covers a question; the utterance
    that holds it (the parser makes each sentence of a monologue an utterance) is its
    ``first_index``, so that citation exactness and the fit's training rows read as for an interview."""
    utterances = sorted(parsed.utterances, key=lambda u: u.index)
    converted = {}
    for question_id, row in labels.items():
        first = None
        if row["covered"]:
            sentence = " ".join(row["sentence"].split())
            first = next((u.index for u in utterances if sentence in " ".join(u.match_text.split())
                          or " ".join(u.match_text.split()) in sentence), None)
            if first is None:
                raise SystemExit(f"{name} {question_id}: the labelled sentence is in no utterance: {sentence!r}")
        converted[question_id] = {**row, "asked": row["covered"], "first_index": first}
    return converted


def load_consultations(evaluation: EvaluationSet, corpus: Path) -> list[Consultation]:
    mapping: dict[str, str] = json.loads(evaluation.mapping_file.read_text(encoding="utf-8"))
    rubrics = {rid: Rubric.model_validate_json((evaluation.rubrics / f"{rid}.json").read_text(encoding="utf-8"))
               for rid in sorted(set(mapping.values()))}
    labels: dict[str, dict[str, dict]] = {}
    with (evaluation.folder / "labels.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                labels.setdefault(row.get("consultation") or row["presentation"], {})[row["question_id"]] = row
    if evaluation.transcripts is not None:
        return [_presentation(name, rubrics[rubric_id], labels.get(name, {}), evaluation)
                for name, rubric_id in sorted(mapping.items())]
    aci = _aci_dialogues(corpus) if any(not name.startswith("day") for name in mapping) else {}
    consultations = []
    for name, rubric_id in sorted(mapping.items()):
        wanted, got = {q.id for q in rubrics[rubric_id].key_questions}, set(labels.get(name, {}))
        if wanted != got:
            raise SystemExit(f"{name}: labels do not cover the key questions of {rubric_id} exactly "
                             f"(missing {sorted(wanted - got)}, unknown {sorted(got - wanted)})")
        if name.startswith("day"):
            path, source = corpus / "primock57" / f"{name}.txt", "primock57"
            if not path.is_file():
                raise SystemExit(f"{path} not found (--corpus names the folder holding primock57/ and aci-bench/)")
            text = path.read_text(encoding="utf-8")
        else:
            source = "aci-bench"
            if name not in aci:
                raise SystemExit(f"{name} not found in {corpus / 'aci-bench'}")
            text = aci[name]
        parsed = parse_transcript(text, "auto", None)
        consultations.append(Consultation(name, source, complaint_of(rubric_id), rubrics[rubric_id], labels[name],
                                          parsed, [u.text for u in sorted(parsed.utterances, key=lambda u: u.index)]))
    return consultations


def _presentation(name: str, rubric: Rubric, labels: dict[str, dict], evaluation: EvaluationSet) -> Consultation:
    wanted, got = {q.id for q in rubric.key_questions}, set(labels)
    if wanted != got:
        raise SystemExit(f"{name}: labels do not cover the key questions of {rubric.rubric_id} exactly "
                         f"(missing {sorted(wanted - got)}, unknown {sorted(got - wanted)})")
    assert evaluation.transcripts is not None
    parsed = parse_transcript((evaluation.transcripts / f"{name}.txt").read_text(encoding="utf-8"), "auto", None)
    return Consultation(name, "aci-bench", complaint_of(rubric.rubric_id), rubric,
                        _presentation_labels(labels, parsed, name), parsed,
                        [u.text for u in sorted(parsed.utterances, key=lambda u: u.index)], "presentation")


def evaluate(consultation: Consultation, rubric: Rubric, encoder: CachedEncoder, model: DecisionModel | None,
             engine: dict[str, str]) -> list[Outcome]:
    details = score_key_questions(rubric, consultation.parsed, encoder, model,  # type: ignore[arg-type]
                                  kind=consultation.kind).details
    engine.update({field: str(details[field]) for field in ENGINE_FIELDS if field in details})
    predicted = {q["id"]: q for q in details["questions"]}
    policy = rubric.key_questions_policy
    outcomes = []
    for question in rubric.key_questions:
        label, pred = consultation.labels[question.id], predicted[question.id]
        outcomes.append(Outcome(
            consultation=consultation.name, source=consultation.source, question_id=question.id,
            critical=question.critical,
            weight=policy.critical_weight if question.critical else policy.noncritical_weight,
            label_asked=bool(label["asked"]), label_index=label.get("first_index"),
            borderline=bool(label.get("borderline")), confirmation=bool(label.get("confirmation")),
            pred_asked=bool(pred["asked"]), pred_index=pred.get("utterance_index"),
            matched_phrase=pred.get("matched_phrase"), pred_confirmation=bool(pred.get("confirmation")),
            method=pred.get("method")))
    return outcomes


# --- figures ---------------------------------------------------------------------------------

def _score(outcomes: list[Outcome], predicted: bool) -> float:
    total = sum(o.weight for o in outcomes)
    asked = sum(o.weight for o in outcomes if (o.pred_asked if predicted else o.label_asked))
    return asked / total if total else 1.0


def _ratio(num: float, den: float) -> float:
    return num / den if den else float("nan")


def _by_consultation(outcomes: list[Outcome]) -> dict[str, list[Outcome]]:
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault(o.consultation, []).append(o)
    return groups


def metrics(outcomes: list[Outcome]) -> dict[str, float]:
    tp = sum(o.label_asked and o.pred_asked for o in outcomes)
    fp = sum(not o.label_asked and o.pred_asked for o in outcomes)
    fn = sum(o.label_asked and not o.pred_asked for o in outcomes)
    tn = sum(not o.label_asked and not o.pred_asked for o in outcomes)
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    denominator = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    exact = sum(o.label_asked and o.pred_asked and o.pred_index == o.label_index for o in outcomes)
    groups = _by_consultation(outcomes).values()
    return {
        "n": len(outcomes), "tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": precision, "recall": recall,
        "f1": _ratio(2 * precision * recall, precision + recall) if tp else 0.0,
        "specificity": _ratio(tn, tn + fp), "mcc": (tp * tn - fp * fn) / denominator if denominator else 0.0,
        "citation_exact": _ratio(exact, tp),
        "mae": sum(abs(_score(g, True) - _score(g, False)) for g in groups) / len(groups) if groups else float("nan"),
    }


def bootstrap(outcomes: list[Outcome], seed: int = 0) -> dict[str, tuple[float, float]]:
    """95% percentile intervals of F1 and MAE, resampling consultations with replacement."""
    groups = list(_by_consultation(outcomes).values())
    rng = random.Random(seed)
    f1s, maes = [], []
    for _ in range(BOOTSTRAP_SAMPLES):
        sample = [rng.choice(groups) for _ in groups]
        flat = [o for g in sample for o in g]
        m = metrics(flat)
        f1s.append(m["f1"])
        maes.append(sum(abs(_score(g, True) - _score(g, False)) for g in sample) / len(sample))
    f1s.sort()
    maes.sort()
    low, high = int(0.025 * BOOTSTRAP_SAMPLES), int(0.975 * BOOTSTRAP_SAMPLES) - 1
    return {"f1": (f1s[low], f1s[high]), "mae": (maes[low], maes[high])}


HEADER = (f"{'phrases':>7}  {'labels':22} {'n':>4} {'P':>6} {'R':>6} {'F1':>6} {'F1 95% CI':>13} {'spec':>6} "
          f"{'MCC':>6} {'cite':>6} {'MAE':>6} {'MAE 95% CI':>13}")


def print_rows(cut_name: str, outcomes: list[Outcome]) -> None:
    subsets = [("all", outcomes)]
    for source in ("primock57", "aci-bench"):
        part = [o for o in outcomes if o.source == source]
        if part and len(part) < len(outcomes):
            subsets.append((source, part))
    subsets += [("without borderline", [o for o in outcomes if not o.borderline]),
                ("critical only", [o for o in outcomes if o.critical])]
    for name, part in subsets:
        m, ci = metrics(part), bootstrap(part)
        print(f"{cut_name:>7}  {name:22} {m['n']:4d} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} "
              f"{ci['f1'][0]:6.3f}-{ci['f1'][1]:.3f} {m['specificity']:6.3f} {m['mcc']:6.3f} "
              f"{m['citation_exact']:6.3f} {m['mae']:6.3f} {ci['mae'][0]:6.3f}-{ci['mae'][1]:.3f}")


def print_errors(consultations: list[Consultation], outcomes: list[Outcome]) -> None:
    lines = {c.name: c.lines for c in consultations}

    def line(name: str, index: int | None) -> str:
        texts = lines[name]
        if index is None or not 0 <= index < len(texts):
            return "-"
        text = texts[index]
        return f"#{index} {text[:SNIPPET]}{'...' if len(text) > SNIPPET else ''}"

    print("\nErrors (FP: predicted asked, labelled not asked; FN: the reverse; CITE: both asked, other utterance):")
    for o in outcomes:
        flags = "".join([" [borderline]" if o.borderline else "", " [confirmation]" if o.confirmation else ""])
        head = f"  {o.consultation} {o.question_id}{' (critical)' if o.critical else ''}{flags}"
        if o.pred_asked and not o.label_asked:
            print(f"FP{head}: matched {o.matched_phrase!r} in {line(o.consultation, o.pred_index)}")
        elif o.label_asked and not o.pred_asked:
            print(f"FN{head}: labelled {line(o.consultation, o.label_index)}")
        elif o.label_asked and o.pred_index != o.label_index:
            print(f"CITE{head}: labelled {line(o.consultation, o.label_index)}\n"
                  f"      predicted (matched {o.matched_phrase!r}) {line(o.consultation, o.pred_index)}")


# --- fitting the decision model -----------------------------------------------------------------

@dataclass(frozen=True)
class Example:
    """The evidence of one (consultation, question) under one rubric cut, with its label."""

    consultation: str
    complaint: str
    evidence: QuestionEvidence
    asked: bool
    first_index: int | None
    group: tuple[str, int | None]  # (consultation, rubric cut): the questions one score is made of
    weight: float  # the question's weight in that score


def training_rows(example: Example) -> tuple[np.ndarray, np.ndarray]:
    """Sentence rows whose label is certain: every sentence when the question was not asked, those
    before the first asking utterance when it was (negatives), and the most evident sentence of
    the first asking utterance (the positive). Later sentences may or may not ask: left out."""
    evidence = example.evidence
    rows, targets = [], []
    positive, positive_strength = None, -1.0
    for row, sentence in enumerate(evidence.sentences):
        if not evidence.fits[row]:
            continue
        index = sentence.utterance.index
        if not example.asked or index < example.first_index:
            rows.append(row)
            targets.append(0)
        elif index == example.first_index:
            features = evidence.features[row]
            strength = sum(features[FEATURES.index(name)] for name in ("phrase", "stem", "cue")) + max(
                features[FEATURES.index(name)] for name in ("similarity", "item_similarity", "read_back"))
            if strength > positive_strength:
                positive, positive_strength = row, strength
    if positive is not None:
        rows.append(positive)
        targets.append(1)
    return evidence.features[rows], np.asarray(targets)


def fit(examples: list[Example], fitted_on: str, criterion: str = "mcc", interview: bool = True) -> DecisionModel:
    """Logistic regression on the certain rows; the rule's precision and the threshold (the best
    ``criterion`` of the per-question decisions, asked = some sentence asks, or of the scores they
    make) from the same examples.
    An interview's model decides only for a sentence's nearest question and lets a word-for-word
    match decide alone only in a question; a presentation's reported sentences may state several
    items at once and are all statements."""
    from sklearn.linear_model import LogisticRegression

    parts = [training_rows(e) for e in examples]
    features = np.vstack([p[0] for p in parts if len(p[1])])
    targets = np.concatenate([p[1] for p in parts if len(p[1])])
    regression = LogisticRegression(C=REGULARISATION_C, max_iter=5000).fit(features, targets)
    model = DecisionModel(regression.coef_[0], float(regression.intercept_[0]), 0.5, 1.0, fitted_on,
                          nearest_only=interview, rules_need_question=interview)
    ruled = [e.asked for e in examples if e.evidence.sentences and (e.evidence.fits & model.by_rule(
        e.evidence.features)).any()]
    rule_precision = sum(ruled) / len(ruled) if ruled else 1.0
    best = max(THRESHOLDS, key=lambda t: _decision_quality(examples, model, float(t), criterion))
    return dataclasses.replace(model, threshold=float(best), rule_precision=rule_precision)


def _decision_quality(examples: list[Example], model: DecisionModel, threshold: float, criterion: str) -> float:
    candidate = dataclasses.replace(model, threshold=threshold)
    tp = fp = fn = tn = 0
    scores: dict[tuple[str, int | None], list[float]] = {}  # group -> [predicted, labelled, total] weight
    for example in examples:
        evidence = example.evidence
        asked = bool(evidence.sentences) and bool((evidence.fits & candidate.asks(evidence.features)).any())
        score = scores.setdefault(example.group, [0.0, 0.0, 0.0])
        score[0] += example.weight * asked
        score[1] += example.weight * example.asked
        score[2] += example.weight
        tp += asked and example.asked
        fp += asked and not example.asked
        fn += not asked and example.asked
        tn += not asked and not example.asked
    mae = sum(abs(predicted - labelled) / total for predicted, labelled, total in scores.values()) / len(scores)
    if criterion == "mae":  # the score error per consultation, negated: larger is better
        return -mae
    if criterion == "mae-spec":  # the least score error at a specificity of at least SPECIFICITY_FLOOR
        specificity = tn / (tn + fp) if tn + fp else 1.0
        return -mae if specificity >= SPECIFICITY_FLOOR else -1.0 - (SPECIFICITY_FLOOR - specificity)
    if criterion == "f1":
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    denominator = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return (tp * tn - fp * fn) / denominator if denominator else 0.0


def examples_of(consultations: list[Consultation], cuts: list[int | None], encoder: CachedEncoder) -> list[Example]:
    examples = []
    for consultation in consultations:
        for max_phrases in cuts:
            rubric = cut(consultation.rubric, max_phrases)
            policy = rubric.key_questions_policy
            for evidence in question_evidence(rubric, consultation.parsed, encoder,  # type: ignore[arg-type]
                                              kind=consultation.kind):
                label = consultation.labels[evidence.question.id]
                examples.append(Example(consultation.name, consultation.complaint, evidence, bool(label["asked"]),
                                        label.get("first_index"), (consultation.name, max_phrases),
                                        question_weight(evidence.question.critical, policy.critical_weight,
                                                        policy.noncritical_weight)))
    return examples


def _parse_cuts(values: list[str]) -> list[int | None]:
    cuts: list[int | None] = []
    for value in values:
        if value != "all" and not (value.isdigit() and int(value) > 0):
            raise SystemExit(f"--max-phrases takes 'all' or a positive number, not {value!r}")
        cuts.append(None if value == "all" else int(value))
    return cuts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder holding primock57/ and aci-bench/")
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="evaluation set folder (default: %(default)s)")
    parser.add_argument("--max-phrases", nargs="+", default=["all", "3", "1"],
                        help="rubric cuts: keep the first N phrases of each question ('all': no cut)")
    parser.add_argument("--cross-validate", action="store_true",
                        help="refit the decision model leaving one complaint out; report held-out figures")
    parser.add_argument("--fit", type=Path, help="fit the decision model on every label and write it here")
    parser.add_argument("--criterion", choices=("mcc", "f1", "mae", "mae-spec"), default="mcc",
                        help="what the threshold maximises on the training labels (default: %(default)s)")
    parser.add_argument("--errors", action="store_true", help="list every error of the first rubric cut")
    parser.add_argument("--train-set", type=Path,
                        help="fit the decision model on this set's labels, not on those evaluated (see above)")
    parser.add_argument("--precision", choices=get_args(Precision), default="float32",
                        help="the sentence-embedding model's precision (default: %(default)s)")
    args = parser.parse_args()
    evaluation = EvaluationSet.read(args.set)
    for needed in (evaluation.mapping_file, evaluation.folder / "labels.jsonl", evaluation.rubrics,
                   *([evaluation.transcripts] if evaluation.transcripts else [])):
        if not needed.exists():
            parser.error(f"{needed} not found")
    cuts = _parse_cuts(args.max_phrases)
    consultations = load_consultations(evaluation, args.corpus)
    encoder = CachedEncoder(load_encoder(args.precision))
    engine: dict[str, str] = {}
    complaints = sorted({c.complaint for c in consultations})
    training_cuts: list[int | None] = [None, 3, 1]
    interview = evaluation.kind == "interview"

    if args.fit:
        examples = examples_of(consultations, training_cuts, encoder)
        model = fit(examples, f"{args.set.name}: {len(consultations)} consultations, {len(complaints)} complaints, "
                              f"rubric cuts all/3/1, threshold by {args.criterion}", args.criterion, interview)
        args.fit.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.fit}: threshold {model.threshold}, rule precision {model.rule_precision:.3f}, "
              f"digest {model.digest}")
        for name, weight in zip(model.to_json()["features"], model.to_json()["weights"], strict=True):
            print(f"  {name:18s} {weight:+.3f}")
        print(f"  {'intercept':18s} {model.intercept:+.3f}")

    results: dict[int | None, list[Outcome]] = {c: [] for c in cuts}
    training = consultations if args.train_set is None else load_consultations(EvaluationSet.read(args.train_set),
                                                                               args.corpus)
    if args.cross_validate:
        examples = examples_of(training, training_cuts, encoder)
        for complaint in complaints:
            held_out = [c for c in consultations if c.complaint == complaint]
            unseen = {c.name for c in held_out}
            model = fit([e for e in examples if e.complaint != complaint and e.consultation not in unseen],
                        f"all but {complaint}", args.criterion, interview)
            print(f"fold {complaint:22s} held out {len(held_out):2d} consultations, threshold {model.threshold}, "
                  f"rule precision {model.rule_precision:.3f}")
            for max_phrases in cuts:
                for consultation in held_out:
                    results[max_phrases] += evaluate(consultation, cut(consultation.rubric, max_phrases), encoder,
                                                     model, engine)
    else:  # the shipped model, or one fitted once on the training set
        model = None
        if args.train_set is not None:
            model = fit(examples_of(training, training_cuts, encoder), args.train_set.name, args.criterion, interview)
            print(f"fitted on {args.train_set}: threshold {model.threshold}, rule precision {model.rule_precision:.3f}")
        for max_phrases in cuts:
            for consultation in consultations:
                results[max_phrases] += evaluate(consultation, cut(consultation.rubric, max_phrases), encoder, model,
                                                 engine)

    kind = ("held-out complaints (leave one complaint out, model refitted per fold)" if args.cross_validate
            else "shipped decision model (in-sample for the labels it was fitted on)" if args.train_set is None
            else "decision model fitted on another set")
    if args.train_set is not None:
        kind += f", trained on {args.train_set}"
    shown = {k: v for k, v in engine.items() if not args.cross_validate or "decision" not in k}
    print(f"\nKey-question detection ({evaluation.kind}s), {len(consultations)} consultations, "
          f"{len(complaints)} complaints, {kind}\n{', '.join(f'{k} {v}' for k, v in shown.items())}\n\n{HEADER}")
    for max_phrases in cuts:
        print_rows("all" if max_phrases is None else str(max_phrases), results[max_phrases])
    if args.errors:
        print_errors(consultations, results[cuts[0]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
