"""Public grading API contract."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from medgrade_shared.models.rubric import RubricId, SemVer
from medgrade_shared.models.scoring import (
    BreakdownEntry,
    ComponentName,
    ComponentResult,
    FeedbackItem,
)
from medgrade_shared.models.warnings import GradingWarning


class Submission(BaseModel):
    oral_transcript: str = Field(min_length=1, max_length=10_000_000)
    summary_text: str | None = Field(default=None, max_length=100_000)
    format: str = Field(default="auto", pattern=r"^(auto|text|vtt|srt|json)$")


class GradeRequest(BaseModel):
    rubric_id: RubricId
    rubric_version: SemVer | None = None
    student_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._@-]+$")
    submission: Submission


class GradingResult(BaseModel):
    grading_id: str
    created_at: datetime
    student_id: str
    rubric_id: str
    rubric_version: str
    overall: float
    components: dict[ComponentName, float]
    breakdown: dict[ComponentName, BreakdownEntry]
    feedback: list[FeedbackItem]
    dropped_feedback: int = 0
    details: dict[ComponentName, ComponentResult]
    sections: list[dict[str, Any]]
    detected_order: list[str]
    summary: dict[str, Any]
    timings_ms: dict[str, float]
    engine: dict[str, str] = Field(default_factory=dict, description="Versions of the scoring engine parts.")
    warnings: list[GradingWarning] = Field(default_factory=list, description=(
        "Why the grade may not be what it seems: what the parse could not read, a rubric that does not fit the "
        "consultation, decisions close to the threshold."))
    needs_review: bool = Field(default=False, description="True when a teacher should look before the grade is "
                                                         "released; `review_reasons` says why.")
    review_reasons: list[str] = Field(default_factory=list, description="Codes of the warnings that need review.")
