"""Collects one component's cited feedback and turns it into a ComponentResult."""

from __future__ import annotations

from typing import Any, Literal

from medgrade_shared.citations import rubric_citation
from medgrade_shared.models.scoring import ComponentName, ComponentResult, FeedbackItem
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

    def result(self, score: float, details: dict[str, Any]) -> ComponentResult:
        return ComponentResult(component=self.component, score=clamp_score(score), successes=self.successes,
                               violations=self.violations, details=details)
