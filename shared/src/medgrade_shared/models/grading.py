"""Public grading API contract."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints
from pydantic_core import PydanticCustomError

from medgrade_shared.models.rubric import RubricId, SemVer
from medgrade_shared.models.scoring import (
    BreakdownEntry,
    ComponentName,
    ComponentResult,
    FeedbackItem,
)
from medgrade_shared.models.warnings import GradingWarning

STUDENT_ID_PATTERN = r"^[A-Za-z0-9._@-]+$"
StudentId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=STUDENT_ID_PATTERN)]
BLANK = "blank"
"""The error type of a text that is empty or only whitespace: one problem, one error."""


def _not_blank(text: str) -> str:
    if not text.strip():
        raise PydanticCustomError(BLANK, "must not be empty or only whitespace")
    return text


class Submission(BaseModel):
    oral_transcript: Annotated[str, Field(max_length=10_000_000), AfterValidator(_not_blank)]
    summary_text: str | None = Field(default=None, max_length=100_000)
    format: Literal["auto", "text", "vtt", "srt", "json"] = "auto"


class GradeRequest(BaseModel):
    rubric_id: RubricId
    rubric_version: SemVer | None = None
    student_id: StudentId
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
