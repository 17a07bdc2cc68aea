"""Score arithmetic shared by every evaluator and the aggregate: it lives in
:mod:`medgrade_shared.formulas`, which a teacher's review rescores with too."""

from __future__ import annotations

from medgrade_shared.formulas import SCORE_DECIMALS, clamp_score

__all__ = ["SCORE_DECIMALS", "clamp_score"]
