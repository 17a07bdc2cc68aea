"""A teacher's review of a grading: the request of ``POST /gradings/{id}/reviews`` and the
record each revision keeps."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from medgrade_shared.models.grading import _not_blank
from medgrade_shared.models.vocabulary import ComponentName


class KeyQuestionOverride(BaseModel):
    """Whether the student asked a key question, and the line that asks it."""

    kind: Literal["key_question"] = Field(description="Overrides a key-question decision.")
    id: str = Field(min_length=1, description="The key question's `id` (as in `details.key_questions`).")
    asked: bool = Field(description="True: the student asked it; false: they did not.")
    utterance_index: int | None = Field(default=None, ge=0, description=(
        "The transcript utterance (its `index`) in which the student asks it; required when `asked` is true, and it "
        "must be the student's (interviewer's) line."))

    @model_validator(mode="after")
    def _cited(self) -> KeyQuestionOverride:
        if self.asked and self.utterance_index is None:
            raise ValueError("utterance_index is required when asked is true: name the line that asks the question")
        return self


class ReasoningLinkOverride(BaseModel):
    """Whether the student stated a reasoning link."""

    kind: Literal["reasoning_link"] = Field(description="Overrides a reasoning-link decision.")
    id: str = Field(min_length=1, description="The link's `id` (as in `details.reasoning.details.links`).")
    stated: bool = Field(description="True: the student stated the link; false: they did not.")


class SummaryElementOverride(BaseModel):
    """Whether the summary contains a required element."""

    kind: Literal["summary_element"] = Field(description="Overrides a summary-element decision.")
    id: str = Field(min_length=1, description="The element's `id` (as in `details.summary.details.required`).")
    present: bool = Field(description="True: the summary includes it; false: it does not.")


class ComponentOverride(BaseModel):
    """A component's score set by the teacher (applied after the decisions are rescored)."""

    kind: Literal["component"] = Field(description="Overrides a component's score.")
    name: ComponentName = Field(description="The component.")
    score: float = Field(ge=0, le=1, description="Its score, from 0 to 1.")


Override = Annotated[KeyQuestionOverride | ReasoningLinkOverride | SummaryElementOverride | ComponentOverride,
                     Field(discriminator="kind")]


class ReviewRequest(BaseModel):
    """What a teacher changes in a grading, and why."""

    reason: Annotated[str, Field(min_length=1, max_length=2000, description=(
        "Why: shown with the review in the grading and its report; not empty.")), AfterValidator(_not_blank)]
    overrides: list[Override] = Field(min_length=1, max_length=200, description=(
        "The decisions and scores to change; the scores are recomputed with the scoring formulas."))


class RevisionSummary(BaseModel):
    """One revision of a grading."""

    revision: int = Field(description="0 is the machine's grading; each review adds one.")
    by: str = Field(description="`machine`, or the client name of the reviewer's API key.")
    at: str = Field(description="When it was graded or reviewed (UTC, ISO 8601).")
    reason: str | None = Field(description="The reviewer's reason; null for the machine's.")
    changes: int = Field(description="How many overrides the review made.")
    overall: float = Field(description="The overall score of this revision.")


class ReviewRecord(BaseModel):
    """Who reviewed, when, why and what changed."""

    revision: int = Field(description="The revision this review made.")
    based_on: int = Field(description="The revision it changed.")
    reviewer: str = Field(description="The client name of the reviewer's API key.")
    reviewed_at: str = Field(description="When (UTC, ISO 8601).")
    reason: str = Field(description="Why.")
    changes: list[dict[str, Any]] = Field(description=(
        "Each override: `kind`, `id` (a component's name), `before` and `after`."))


class OverrideCount(BaseModel):
    """How often teachers overrode one rubric item one way."""

    item: str = Field(description="`<kind>:<id>`, e.g. `key_question:anticoagulants` or `component:summary`.")
    direction: Literal["added", "removed", "raised", "lowered", "unchanged"] = Field(description=(
        "`added`: found asked / stated / present where the machine did not; `removed`: the reverse; `raised` / "
        "`lowered`: a component score; `unchanged`: confirmed the machine."))
    count: int = Field(ge=1, description="How many overrides.")


class ReviewStats(BaseModel):
    """What teachers overrode in the gradings of one rubric."""

    rubric_id: str = Field(description="The rubric.")
    reviews: int = Field(ge=0, description="Reviews of its gradings.")
    gradings_reviewed: int = Field(ge=0, description="Gradings with at least one review.")
    overrides: list[OverrideCount] = Field(description="Per item and direction, the most frequent first.")
