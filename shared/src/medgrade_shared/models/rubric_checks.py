"""What a rubric must satisfy to be graded: the one list both scoring (at grading time) and
the QA gate (at approval) apply, so that an approved rubric never fails a grading.

The checks, by name:

- ``weights``: all five weights given, none negative, summing to 1.0 (±1e-6);
- ``empty_component``: a component with a weight above zero has something to assess: an
  expected section order (structure), key questions, reasoning links, required summary
  elements, communication behaviours. Scoring would otherwise hand out marks for nothing;
- ``key_question_weights``: key questions whose critical and non-critical weights do not all
  come to zero;
- ``patterns``: every regex non-empty and compiling under RE2;
- ``min_count``: a summary element's ``min_count`` (default 1) is a whole number from 1 to its
  number of patterns.

Each problem names its component, so a scorer refuses only what it scores.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from medgrade_shared.errors import Invalid
from medgrade_shared.models.components import COMPONENT_TABLE
from medgrade_shared.models.rubric import Rubric, SubmissionKind, SummaryElement
from medgrade_shared.models.vocabulary import COMPONENTS, ComponentName
from medgrade_shared.patterns import PatternError, compile_pattern

WEIGHT_TOLERANCE = 1e-6

CHECKS: tuple[str, ...] = ("weights", "empty_component", "key_question_weights", "patterns", "min_count")

class RubricProblem(BaseModel):
    check: str
    component: str | None  # None: the rubric as a whole (its weights)
    message: str
    loc: list[str | int] = []


Problems = Iterator[RubricProblem]


def is_empty(rubric: Rubric, component: ComponentName) -> bool:
    """Whether the rubric gives ``component`` nothing to assess."""
    return not COMPONENT_TABLE[component].assessed(rubric)


def scored_components(rubric: Rubric, kind: SubmissionKind) -> list[ComponentName]:
    """The components a submission of ``kind`` is scored on, in :data:`COMPONENTS` order: those the
    rubric weighs, except communication for a presentation when the rubric lists no presentation
    behaviours (an interview behaviour such as introducing oneself cannot occur in one). The overall
    score is the weighted mean over these (:func:`medgrade_shared.formulas.weighted_overall`)."""
    weights = rubric.weights.as_dict()
    return [name for name in COMPONENTS if weights[name] > 0
            and not (name == "communication" and kind == "presentation"
                     and not rubric.communication.presentation_behaviours)]


def require_kind(rubric: Rubric, kind: SubmissionKind) -> None:
    """422 ``kind_not_accepted`` when the rubric does not grade submissions of ``kind``."""
    if kind not in rubric.kinds:
        accepted = " and ".join(f"{k}s" for k in rubric.kinds)
        raise Invalid("kind_not_accepted", f"Rubric {rubric.rubric_id!r} grades {accepted} only, not a {kind}; "
                      "choose a rubric written for this kind of submission.",
                      details={"rubric_id": rubric.rubric_id, "kind": kind, "accepted": list(rubric.kinds)})


def min_count(element: SummaryElement) -> Any:
    """The element's ``min_count`` as written (an extra key, default 1); valid once the rubric passes."""
    return (element.model_extra or {}).get("min_count", 1)


def _weights(rubric: Rubric) -> Problems:
    weights = rubric.weights.as_dict()
    for name in COMPONENTS:
        if name not in rubric.weights.model_fields_set:
            yield RubricProblem(check="weights", component=None, loc=["weights", name],
                                message=f"weight {name!r} is missing; give all five weights (0 for a part not graded)")
        elif weights[name] < 0:  # the model refuses it; a rubric changed after validation may not
            yield RubricProblem(check="weights", component=None, loc=["weights", name],
                                message=f"weight {name!r} is negative; weights are 0 or more")
    total = sum(weights.values())
    if not math.isclose(total, 1.0, rel_tol=0, abs_tol=WEIGHT_TOLERANCE):
        yield RubricProblem(check="weights", component=None, loc=["weights"],
                            message=f"the weights sum to {total:.6g}; they must sum to 1.0")


def _empty_components(rubric: Rubric) -> Problems:
    weights = rubric.weights.as_dict()
    for name in COMPONENTS:
        if weights[name] > 0 and is_empty(rubric, name):
            component = COMPONENT_TABLE[name]
            yield RubricProblem(check="empty_component", component=name, loc=list(component.items),
                                message=f"{name} has weight {weights[name]:g} but the rubric lists no "
                                        f"{component.missing}; add some or set weights.{name} to 0")


def _key_question_weights(rubric: Rubric) -> Problems:
    policy = rubric.key_questions_policy
    if rubric.key_questions and not any(
            policy.critical_weight if q.critical else policy.noncritical_weight for q in rubric.key_questions):
        yield RubricProblem(check="key_question_weights", component="key_questions", loc=["key_questions_policy"],
                            message="the key questions all weigh zero; set critical_weight or noncritical_weight "
                                    "above zero")


def pattern_problems(rubric: Rubric) -> list[RubricProblem]:
    """One problem per regex that does not compile, with where it is and why."""
    located: list[tuple[str, list[str | int], str, str]] = [
        ("reasoning", ["reasoning", "required_links", i, "pattern"], link.id, link.pattern)
        for i, link in enumerate(rubric.reasoning.required_links)
    ]
    located += [
        ("summary", ["summary", "required_elements", i, "patterns", j], element.id, pattern)
        for i, element in enumerate(rubric.summary.required_elements)
        for j, pattern in enumerate(element.patterns)
    ]
    problems = []
    for component, loc, item_id, pattern in located:
        try:
            compile_pattern(pattern)
        except PatternError as exc:
            problems.append(RubricProblem(check="patterns", component=component, loc=loc,
                                          message=f"a pattern of {item_id!r} is not valid: {exc}"))
    return problems


def _min_counts(rubric: Rubric) -> Problems:
    for i, element in enumerate(rubric.summary.required_elements):
        value, most = min_count(element), max(1, len(element.patterns))
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
            yield RubricProblem(check="min_count", component="summary",
                                loc=["summary", "required_elements", i, "min_count"],
                                message=f"min_count of summary element {element.id!r} must be a whole number "
                                        f"from 1 to its number of patterns ({len(element.patterns)})")


def rubric_problems(rubric: Rubric) -> list[RubricProblem]:
    """Every reason this rubric cannot be graded, in the order of :data:`CHECKS`."""
    return [*_weights(rubric), *_empty_components(rubric), *_key_question_weights(rubric),
            *pattern_problems(rubric), *_min_counts(rubric)]


def require_gradable(rubric: Rubric, component: str | None) -> None:
    """Raise 422 ``invalid_rubric`` when the rubric cannot be graded on ``component`` (``None``:
    the rubric as a whole, i.e. its weights)."""
    problems = [p for p in rubric_problems(rubric) if p.component == component]
    if problems:
        raise Invalid("invalid_rubric",
                      f"Rubric {rubric.rubric_id!r} cannot be graded: {'; '.join(p.message for p in problems)}.",
                      details={"rubric_id": rubric.rubric_id, "version": rubric.version,
                      "problems": [p.model_dump() for p in problems]})
