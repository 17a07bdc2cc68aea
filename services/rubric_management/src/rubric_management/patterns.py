"""Every rubric regex must compile under RE2 before the rubric is stored."""

from __future__ import annotations

from typing import Any

from medgrade_shared.models.rubric import Rubric
from medgrade_shared.patterns import PatternError, compile_pattern


def pattern_problems(rubric: Rubric) -> list[dict[str, Any]]:
    """One entry per pattern that does not compile, with where it is and why."""
    located: list[tuple[list[Any], str]] = [
        (["reasoning", "required_links", i, "pattern"], link.pattern)
        for i, link in enumerate(rubric.reasoning.required_links)
    ]
    located += [
        (["summary", "required_elements", i, "patterns", j], pattern)
        for i, element in enumerate(rubric.summary.required_elements)
        for j, pattern in enumerate(element.patterns)
    ]
    problems = []
    for loc, pattern in located:
        try:
            compile_pattern(pattern)
        except PatternError as exc:
            problems.append({"loc": loc, "msg": str(exc), "type": "pattern"})
    return problems
