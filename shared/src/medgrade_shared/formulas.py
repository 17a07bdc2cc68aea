"""The scoring formulas, as pure functions of decisions already made.

The scoring service's evaluators decide (which questions were asked, which links stated,
which summary elements present) and then score those decisions with these functions; a
teacher's review (the orchestrator's ``POST /gradings/{id}/reviews``) changes decisions and
rescores them with the very same functions, so a reviewed grade is computed exactly as a
machine grade is. Scores are clamped to [0, 1] and rounded to ``SCORE_DECIMALS`` once, where
they are produced, so the same input always serialises to the same number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

SCORE_DECIMALS = 6


def clamp_score(value: float) -> float:
    return round(min(1.0, max(0.0, value)), SCORE_DECIMALS)


def question_weight(critical: bool, critical_weight: float, noncritical_weight: float) -> float:
    """A key question weighs ``critical_weight`` when critical, ``noncritical_weight`` otherwise."""
    return critical_weight if critical else noncritical_weight


def key_question_coverage(weights: Sequence[float], asked: Sequence[bool]) -> float:
    """key_questions = Σ weight(asked) / Σ weight(all) (unclamped, unrounded: the coverage)."""
    return sum(w for w, a in zip(weights, asked, strict=True) if a) / sum(weights)


def reasoning_score(detected: int, required: int, missing_major: int, major_gap_penalty: float) -> float:
    """reasoning = detected / required - ``major_gap_penalty`` per missing major link (unclamped)."""
    return detected / required - major_gap_penalty * missing_major


def summary_score(length_term: float, matched: int, required: int) -> float:
    """summary = 0.5 · length term + 0.5 · matched elements / required elements (unclamped)."""
    return 0.5 * length_term + 0.5 * (matched / required)


def weighted_overall(weights: Mapping[str, float],
                     scores: Mapping[str, float]) -> tuple[float, dict[str, dict[str, float]]]:
    """overall = Σ weight · score / Σ weight over ``scores`` (in their order), clamped; and the
    breakdown (score, weight, weighted share) of each component, ``weight`` being the share it
    had. When every weighted component is scored (an interview) the weights sum to 1 and are used
    as they are; a component that cannot apply to the submission (communication in a presentation
    whose rubric lists no presentation behaviours) is left out and the others' weights are rescaled
    to sum to 1, so that it neither costs nor earns marks."""
    total = sum(weights[name] for name in scores)
    scale = 1.0 if math.isclose(total, 1.0, rel_tol=0, abs_tol=1e-6) or total <= 0 else 1.0 / total
    overall = 0.0
    breakdown: dict[str, dict[str, float]] = {}
    for name, score in scores.items():
        weight = round(weights[name] * scale, SCORE_DECIMALS)
        weighted = weight * score
        overall += weighted
        breakdown[name] = {"score": score, "weight": weight, "weighted": round(weighted, SCORE_DECIMALS)}
    return clamp_score(overall), breakdown
