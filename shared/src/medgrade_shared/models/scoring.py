"""Scoring contract: component results, feedback items and the aggregate."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from medgrade_shared.citations import is_rubric_citation, validate_citation
from medgrade_shared.models.rubric import Rubric
from medgrade_shared.models.transcript import ParsedTranscript

ComponentName = Literal["structure", "key_questions", "reasoning", "summary", "communication"]


class FeedbackItem(BaseModel):
    """One piece of feedback. It cannot exist without a rubric citation (validated here)."""

    component: ComponentName
    kind: Literal["success", "violation"]
    severity: Literal["info", "minor", "major", "critical"] = "info"
    message: str = Field(min_length=1)
    citations: list[str] = Field(min_length=1)

    @field_validator("citations")
    @classmethod
    def _cited(cls, citations: list[str]) -> list[str]:
        for citation in citations:
            validate_citation(citation)
        if not any(is_rubric_citation(c) for c in citations):
            raise ValueError("a feedback item needs at least one rubric:// citation")
        return citations


class ComponentResult(BaseModel):
    component: ComponentName
    score: float = Field(ge=0, le=1)
    successes: list[FeedbackItem] = Field(default_factory=list)
    violations: list[FeedbackItem] = Field(default_factory=list)
    details: dict[str, Any] = Field(default_factory=dict)


class ScoreRequest(BaseModel):
    rubric: Rubric
    parsed: ParsedTranscript


class AggregateRequest(BaseModel):
    rubric: Rubric
    components: dict[ComponentName, ComponentResult]


class BreakdownEntry(BaseModel):
    score: float
    weight: float
    weighted: float


class AggregateResult(BaseModel):
    overall: float = Field(ge=0, le=1)
    breakdown: dict[ComponentName, BreakdownEntry]
    feedback: list[FeedbackItem]
    dropped_feedback: int = Field(default=0, ge=0, description="Items refused for citing an unknown anchor.")
