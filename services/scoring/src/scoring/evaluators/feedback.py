"""Collects one component's cited feedback and turns it into a ComponentResult."""

from __future__ import annotations

from typing import Any, Literal

from medgrade_shared.citations import rubric_citation
from medgrade_shared.models.rubric import Rubric
from medgrade_shared.models.rubric_checks import is_empty, require_gradable
from medgrade_shared.models.scoring import ComponentResult, FeedbackItem
from medgrade_shared.models.vocabulary import ComponentName
from scoring.evaluators.scores import clamp_score

Severity = Literal["info", "minor", "major", "critical"]


class FeedbackCollector:
    """Every item cites ``rubric://<rubric_id>#<anchor>`` first, then any student spans."""

    def __init__(self, rubric_id: str, component: ComponentName) -> None:
        self.rubric_id = rubric_id
        self.component: ComponentName = component
        self.successes: list[FeedbackItem] = []
        self.violations: list[FeedbackItem] = []

    def _item(self, kind: Literal["success", "violation"], severity: Severity, anchor: str | None, message: str,
              student: tuple[str, ...]) -> FeedbackItem:
        if anchor is None:  # the Rubric model fills every anchor; None means an unvalidated rubric
            raise ValueError("rubric item has no anchor")
        return FeedbackItem(component=self.component, kind=kind, severity=severity, message=message,
                            citations=[rubric_citation(self.rubric_id, anchor), *student])

    def success(self, anchor: str | None, message: str, *student: str) -> None:
        self.successes.append(self._item("success", "info", anchor, message, student))

    def violation(self, anchor: str | None, message: str, severity: Severity, *student: str) -> None:
        self.violations.append(self._item("violation", severity, anchor, message, student))

    def not_assessed(self) -> ComponentResult:
        """The result for a part the rubric leaves empty: it weighs 0 (else it is refused), so it
        scores nothing and says nothing to the student."""
        return ComponentResult(component=self.component, score=0.0, details={
            "assessed": False, "note": f"the rubric gives {self.component} nothing to assess and weighs it 0"})

    def not_applicable(self, kind: str) -> ComponentResult:
        """The result for a part that cannot apply to this kind of submission: not scored (the
        overall leaves it out) and nothing said to the student."""
        return ComponentResult(component=self.component, score=0.0, details={
            "assessed": False, "kind": kind,
            "note": f"the rubric gives {self.component} nothing to assess in a {kind}"})

    def result(self, score: float, details: dict[str, Any]) -> ComponentResult:
        return ComponentResult(component=self.component, score=clamp_score(score), successes=self.successes,
                               violations=self.violations, details=details)


def assessable(rubric: Rubric, component: ComponentName) -> bool:
    """False when the rubric leaves ``component`` empty (and so weighs it 0); 422 ``invalid_rubric``
    when it cannot be graded on it (:func:`medgrade_shared.models.rubric_checks.require_gradable`)."""
    require_gradable(rubric, component)
    return not is_empty(rubric, component)
