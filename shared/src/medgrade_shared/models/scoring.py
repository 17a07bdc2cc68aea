"""Scoring contract: component results, feedback items and the aggregate."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from medgrade_shared.citations import is_rubric_citation, validate_citation
from medgrade_shared.models.rubric import Rubric, SubmissionKind
from medgrade_shared.models.transcript import ParsedTranscript
from medgrade_shared.models.vocabulary import ComponentName


class FeedbackItem(BaseModel):
    """One piece of feedback. It cannot exist without a rubric citation (validated here)."""

    component: ComponentName = Field(description="The component it is about.")
    kind: Literal["success", "violation"] = Field(description="Done well (`success`) or missed (`violation`).")
    severity: Literal["info", "minor", "major", "critical"] = Field(default="info", description=(
        "How much it matters, from the rubric (a missed critical key question is `critical`)."))
    message: str = Field(min_length=1, description="The feedback, for the student.")
    citations: list[str] = Field(min_length=1, description=(
        "`rubric://<rubric_id>#<anchor>` (at least one), and the student's words: "
        "`student://oral#MM:SS-MM:SS`, `student://oral#utt=<index>` or `student://summary#tokens=<n>`."))

    @field_validator("citations")
    @classmethod
    def _cited(cls, citations: list[str]) -> list[str]:
        for citation in citations:
            validate_citation(citation)
        if not any(is_rubric_citation(c) for c in citations):
            raise ValueError("a feedback item needs at least one rubric:// citation")
        return citations


class ComponentEvidence(BaseModel):
    """A component's score and how it came about (a grading keeps it so: its feedback items are
    the grading's ``feedback``, stored once)."""

    component: ComponentName = Field(description="The component scored.")
    score: float = Field(ge=0, le=1, description="Its score, from 0 to 1.")
    details: dict[str, Any] = Field(default_factory=dict, description=(
        "How the score came about; its keys depend on the component (matcher and versions, each question, "
        "link, element or behaviour found or not, with citations)."))


class ComponentResult(ComponentEvidence):
    """What a component scorer answers: its evidence and its feedback."""

    successes: list[FeedbackItem] = Field(default_factory=list, description="What was done well.")
    violations: list[FeedbackItem] = Field(default_factory=list, description="What was missed.")


class ScoreRequest(BaseModel):
    """What a component scorer takes: one rubric version and one parsed transcript."""

    rubric: Rubric = Field(description="The rubric version to score against.")
    parsed: ParsedTranscript = Field(description="The transcript as `POST /parse` answers it.")
    kind: SubmissionKind = Field(default="interview", description=(
        "`interview` (key questions are asked) or `presentation` (key questions are covered when stated)."))


class AggregateRequest(BaseModel):
    """The component results to combine into the overall score."""

    rubric: Rubric = Field(description="The rubric version they were scored against (its weights and anchors).")
    components: dict[ComponentName, ComponentResult] = Field(description=(
        "Each component the submission is scored on, as `POST /score/<component>` answers it: every weighted one, "
        "except communication for a presentation when the rubric lists no presentation behaviours."))
    kind: SubmissionKind = Field(default="interview", description="The kind of submission that was scored.")


OVERALL_DESCRIPTION = ("Σ weight · component score over the components scored, from 0 to 1 (weights rescaled to "
                       "sum to 1 when a component does not apply to the submission's kind).")
BREAKDOWN_DESCRIPTION = ("Score, weight and weighted score of each component scored; `overall` is the sum of "
                         "`weighted`.")


class BreakdownEntry(BaseModel):
    score: float = Field(description="The component's score, from 0 to 1.")
    weight: float = Field(description="Its weight in the rubric.")
    weighted: float = Field(description="score · weight, its share of `overall`.")


class AggregateResult(BaseModel):
    """The overall score and the feedback of all components."""

    overall: float = Field(ge=0, le=1, description=OVERALL_DESCRIPTION)
    breakdown: dict[ComponentName, BreakdownEntry] = Field(description=BREAKDOWN_DESCRIPTION)
    feedback: list[FeedbackItem] = Field(description=(
        "The components' feedback, each item citing an anchor of the rubric version."))
    dropped_feedback: int = Field(default=0, ge=0, description="Items refused for citing an unknown anchor.")
