"""Rubric fit: is the consultation about what the rubric is for? Measured on every labelled
consultation of ``evaluation/key_questions`` against its own rubric and against every other.

A pair fits when the rubric is for the consultation's complaint (``complaint_of``; the ACI
"shortness of breath" and the PriMock57 "breathlessness" rubrics are one complaint). The
settings (how many of the patient's opening words; the similarity threshold) are chosen by
leave-one-complaint-out cross-validation: for each complaint, on the pairs whose consultation
has another complaint, the setting with the best balanced accuracy; it is then applied to
the held-out complaint's pairs. Printed: for the held-out pairs, the misfit flag's precision
and recall and the share of consultations flagged against their own rubric; then the setting
chosen on everything, beside the one the service ships (``scoring.evaluators.rubric_fit``).
Last, the review the orchestrator would attach to each consultation graded against its own
rubric (``grading_orchestrator.review``: parse warnings, rubric fit, uncertain decisions):
how many gradings would need review, and why. That share should be low.

    python benchmarks/eval_rubric_fit.py --corpus ../shared/corpus [--set evaluation/presentations]

With ``--set evaluation/presentations`` the presentations are judged by the student's opening
words (a presentation has no patient); the shipped settings are the same for both kinds.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from itertools import product
from pathlib import Path

import numpy as np
from eval_key_questions import CachedEncoder, EvaluationSet, complaint_of, load_consultations

from grading_orchestrator.review import grading_warnings, needs_review
from scoring.evaluators.key_questions import score_key_questions
from scoring.evaluators.rubric_fit import DEFAULT_FIT, fit_similarity
from scoring.semantic.model import load_encoder

FOLDER = Path(__file__).resolve().parents[1] / "evaluation" / "key_questions"
SAME_COMPLAINT = {"shortness_of_breath": "breathlessness"}
OPENING_WORDS = (100, 200, 400)
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.20, 0.71, 0.01))

Pair = tuple[str, bool, dict[int, float]]  # consultation complaint, fits, opening words -> similarity


def complaint(name: str) -> str:
    return SAME_COMPLAINT.get(name, name)


def balanced_accuracy(pairs: list[Pair], words: int, threshold: float) -> float:
    kept = [p[2][words] >= threshold for p in pairs if p[1]]
    flagged = [p[2][words] < threshold for p in pairs if not p[1]]
    return (np.mean(kept) + np.mean(flagged)) / 2


def choose(pairs: list[Pair]) -> tuple[int, float]:
    return max(product(OPENING_WORDS, THRESHOLDS), key=lambda s: (balanced_accuracy(pairs, *s), -s[1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder with primock57/ and aci-bench/")
    parser.add_argument("--set", type=Path, default=FOLDER, help="evaluation set folder (default: %(default)s)")
    args = parser.parse_args()
    evaluation = EvaluationSet.read(args.set)
    kind, shipped = evaluation.kind, DEFAULT_FIT
    consultations = load_consultations(evaluation, args.corpus)
    rubrics = {c.rubric.rubric_id: c.rubric for c in consultations}
    encoder = CachedEncoder(load_encoder())
    pairs: list[Pair] = []
    for consultation, rubric in product(consultations, rubrics.values()):
        fits = complaint(complaint_of(rubric.rubric_id)) == complaint(consultation.complaint)
        similarity = {w: fit_similarity(rubric, consultation.parsed, encoder, w, kind)[0] for w in OPENING_WORDS}
        pairs.append((complaint(consultation.complaint), fits, similarity))
    tp = fp = fn = own_flagged = own = 0
    for held_out in sorted({p[0] for p in pairs}):
        words, threshold = choose([p for p in pairs if p[0] != held_out])
        for _, fits, similarity in (p for p in pairs if p[0] == held_out):
            flagged = similarity[words] < threshold
            tp += flagged and not fits
            fp += flagged and fits
            fn += not flagged and not fits
            own += fits
            own_flagged += flagged and fits
    print(f"{len(consultations)} consultations x {len(rubrics)} rubrics = {len(pairs)} pairs, "
          f"{sum(p[1] for p in pairs)} fitting; leave-one-complaint-out:")
    print(f"  misfit flag: precision {tp / max(tp + fp, 1):.3f}  recall {tp / max(tp + fn, 1):.3f}  "
          f"({tp + fn} misfitting pairs)")
    print(f"  consultations flagged against their own rubric: {own_flagged}/{own}")
    words, threshold = choose(pairs)
    print(f"chosen on all pairs: opening_words {words}, threshold {threshold:.2f} "
          f"(balanced accuracy {balanced_accuracy(pairs, words, threshold):.3f}); shipped for {kind}s: opening_words "
          f"{shipped.opening_words}, threshold {shipped.threshold:.2f} (balanced accuracy "
          f"{balanced_accuracy(pairs, shipped.opening_words, shipped.threshold):.3f})")
    reasons: Counter[str] = Counter()
    flagged = 0
    for consultation in consultations:
        rubric = consultation.rubric
        key_questions = score_key_questions(rubric, consultation.parsed, encoder, kind=kind).model_dump()
        breakdown = {"key_questions": {"weight": rubric.weights.as_dict()["key_questions"]}}
        found = needs_review(grading_warnings(rubric.rubric_id, kind, consultation.parsed.model_dump(),
                                              {"key_questions": key_questions}, breakdown))
        flagged += bool(found)
        reasons.update(found)
    print(f"needs_review against their own rubric: {flagged}/{len(consultations)} gradings "
          f"({', '.join(f'{code} {n}' for code, n in reasons.most_common()) or 'none'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
