"""Public grading API contract."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, StringConstraints
from pydantic_core import PydanticCustomError

from medgrade_shared.models.rubric import RubricId, SemVer, SubmissionKind
from medgrade_shared.models.scoring import (
    BREAKDOWN_DESCRIPTION,
    OVERALL_DESCRIPTION,
    BreakdownEntry,
    ComponentEvidence,
    FeedbackItem,
)
from medgrade_shared.models.vocabulary import ComponentName, TextFormat
from medgrade_shared.models.warnings import GradingWarning

STUDENT_ID_PATTERN = r"^[A-Za-z0-9._@-]+$"
StudentId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=STUDENT_ID_PATTERN)]
BLANK = "blank"
"""The error type of a text that is empty or only whitespace: one problem, one error."""


def _not_blank(text: str) -> str:
    if not text.strip():
        raise PydanticCustomError(BLANK, "must not be empty or only whitespace")
    return text


TranscriptText = Annotated[str, Field(max_length=10_000_000, description=(
    "The transcript of the interview or presentation: plain text (`[MM:SS] Speaker: words` lines, times "
    "optional; a presentation may be plain prose), WebVTT, SRT or JSON utterances; not empty. Time stamps "
    "past 24 hours are refused.")), AfterValidator(_not_blank)]
KIND_DESCRIPTION = ("What the transcript is: `interview` (the student takes a history from a patient; only the "
                    "interviewer's questions count) or `presentation` (an oral case presentation: the student "
                    "reports the history, and a key question is covered when its information is stated, "
                    "pertinent negatives included). The rubric's `kinds` must include it.")


class Submission(BaseModel):
    """What the student produced: the transcript and, optionally, a written summary."""

    oral_transcript: TranscriptText
    summary_text: str | None = Field(default=None, max_length=100_000, description=(
        "The student's written summary, scored instead of the summary found at the end of the transcript."))
    format: TextFormat = Field(default="auto", description="The transcript's format; `auto` tells it from "
                                                                 "the text.")


class GradeRequest(BaseModel):
    """One submission to grade against one rubric version."""

    rubric_id: RubricId = Field(description="The rubric to grade against, e.g. `stroke_v1`.")
    rubric_version: SemVer | None = Field(default=None, description=(
        "A version of that rubric (any status); without it, its highest approved version."))
    student_id: StudentId = Field(description="The student's id: letters, digits and `. _ @ -`, at most 128.")
    kind: SubmissionKind = Field(default="interview", description=KIND_DESCRIPTION)
    submission: Submission = Field(description="The transcript (and optional summary) to grade.")


class GradingResult(BaseModel):
    """A grading as stored in `gradings/<grading_id>.json` and served by `GET /gradings/{grading_id}`."""

    grading_id: str = Field(description="Id of this grading, for `GET /gradings/{grading_id}`.")
    created_at: datetime = Field(description="When it was graded (UTC).")
    student_id: str = Field(description="The request's student id.")
    rubric_id: str = Field(description="The rubric graded against.")
    rubric_version: str = Field(description="The rubric version graded against (the one resolved when none was asked).")
    kind: SubmissionKind = Field(default="interview", description="What was graded: an `interview` or a "
                                                                  "`presentation`.")
    overall: float = Field(ge=0, le=1, description=OVERALL_DESCRIPTION)
    components: dict[ComponentName, float] = Field(description="Score from 0 to 1 of each component scored.")
    breakdown: dict[ComponentName, BreakdownEntry] = Field(description=BREAKDOWN_DESCRIPTION)
    feedback: list[FeedbackItem] = Field(description=(
        "What went well and what did not, each item citing the rubric and, where there is one, the student's words."))
    dropped_feedback: int = Field(default=0, description="Feedback items refused for citing an anchor the rubric "
                                                         "version does not have.")
    details: dict[ComponentName, ComponentEvidence] = Field(description=(
        "Each component's score and evidence (its feedback items are in `feedback`); for key questions, every "
        "question with `asked`, `matched_phrase`, `method`, `utterance_index` and `citation`."))
    sections: list[dict[str, Any]] = Field(description=(
        "The history sections found in the transcript: `name`, `start_index` and `end_index` (utterance indices)."))
    detected_order: list[str] = Field(description="The order in which the sections were taken.")
    summary: dict[str, Any] = Field(description=(
        "The summary that was scored: `tokens` (its length) and `source` (`summary_text`, `transcript` or `none`)."))
    timings_ms: dict[str, float] = Field(description="Milliseconds per stage: rubric, parse, score, aggregate, total.")
    engine: dict[str, str] = Field(default_factory=dict, description="Versions of the scoring engine parts.")
    warnings: list[GradingWarning] = Field(default_factory=list, description=(
        "Why the grade may not be what it seems: what the parse could not read, a rubric that does not fit the "
        "consultation, decisions close to the threshold."))
    needs_review: bool = Field(default=False, description="True when a teacher should look before the grade is "
                                                         "released; `review_reasons` says why.")
    review_reasons: list[str] = Field(default_factory=list, description="Codes of the warnings that need review.")
    revision: int = Field(default=0, description="Which revision this is: 0 the machine's, n after n teacher reviews.")
    review: dict[str, Any] | None = Field(default=None, description=(
        "The teacher's review that made this revision: `reviewer`, `reviewed_at`, `reason`, `changes` (each "
        "override's `kind`, `id`, `before` and `after`); absent on the machine's grading."))
    reviewed: bool = Field(default=False, description="True when a teacher has reviewed the grading (a revision "
                                                       "above 0 exists); absent on the machine's grading.")
    revisions: list[dict[str, Any]] | None = Field(default=None, description=(
        "Every revision of a reviewed grading: `revision`, `by`, `at`, `reason`, `changes`, `overall`."))


class GradingSummary(BaseModel):
    """One grading in a listing (`GET /gradings`): what its index object holds."""

    grading_id: str = Field(description="Id of the grading, for `GET /gradings/{grading_id}`.")
    created_at: datetime = Field(description="When it was graded (UTC).")
    student_id: str = Field(description="The student's id.")
    rubric_id: str = Field(description="The rubric graded against.")
    rubric_version: str = Field(description="The rubric version graded against.")
    kind: SubmissionKind = Field(description="An `interview` or a `presentation`.")
    overall: float = Field(description="The machine's overall score.")
    needs_review: bool = Field(description="Whether the machine's grading needs a teacher's review (a later review "
                                           "does not change it here).")
    batch_id: str | None = Field(description="The batch it was graded in, if any.")


class GradingPage(BaseModel):
    """A page of gradings, newest first."""

    items: list[GradingSummary] = Field(description="The gradings of this page.")
    next_cursor: str | None = Field(description="Send as `cursor` for the next page; null on the last one.")
