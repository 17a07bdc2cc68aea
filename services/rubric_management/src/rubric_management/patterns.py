"""Every rubric regex must compile under RE2 before the rubric is stored."""

from __future__ import annotations

from typing import Any

from medgrade_shared.models import rubric_checks
from medgrade_shared.models.rubric import Rubric


def pattern_problems(rubric: Rubric) -> list[dict[str, Any]]:
    """One error detail per pattern that does not compile, with where it is and why
    (:func:`medgrade_shared.models.rubric_checks.pattern_problems` in the 422 details' shape)."""
    return [{"loc": problem.loc, "msg": problem.message, "type": "pattern"}
            for problem in rubric_checks.pattern_problems(rubric)]
