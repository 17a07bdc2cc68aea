"""Score arithmetic shared by every evaluator and the aggregate.

Scores are clamped to [0, 1] and rounded to a fixed number of decimals once, where they are
produced, so the same input always serialises to the same number.
"""

from __future__ import annotations

SCORE_DECIMALS = 6


def clamp_score(value: float) -> float:
    return round(min(1.0, max(0.0, value)), SCORE_DECIMALS)
