"""Public batch API contract: a cohort's transcripts graded against one rubric version."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from medgrade_shared.models.grading import KIND_DESCRIPTION, StudentId, TranscriptText
from medgrade_shared.models.rubric import RubricId, SemVer, SubmissionKind
from medgrade_shared.models.vocabulary import TextFormat

BatchState = Literal["queued", "running", "complete"]
ItemStatus = Literal["queued", "running", "done", "failed"]


class BatchItem(BaseModel):
    """One student's transcript."""

    student_id: StudentId = Field(description="The student's id: letters, digits and `. _ @ -`, at most 128.")
    transcript: TranscriptText
    format: TextFormat = Field(default="auto", description="The transcript's format; `auto` tells it from "
                                                                 "the text.")
    kind: SubmissionKind | None = Field(default=None, description=(
        "`interview` or `presentation`; without it, the batch's `kind`."))


def _distinct_students(items: list[BatchItem]) -> list[BatchItem]:
    seen: set[str] = set()
    for item in items:
        if item.student_id in seen:
            raise ValueError(f"student {item.student_id!r} appears twice; send one transcript per student")
        seen.add(item.student_id)
    return items


class BatchTarget(BaseModel):
    """The rubric version a batch is graded against (the form fields of a batch of files)."""

    rubric_id: RubricId = Field(description="The rubric to grade against, e.g. `stroke_v1`.")
    rubric_version: SemVer | None = Field(default=None, description=(
        "A version of that rubric (any status); without it, its highest approved version when the batch is "
        "submitted: every item is graded against that version, even if another is approved meanwhile."))
    kind: SubmissionKind = Field(default="interview", description=(
        f"Unless an item says otherwise: {KIND_DESCRIPTION}"))


class BatchRequest(BatchTarget):
    """A cohort to grade: one transcript per student, one rubric version for all."""

    items: Annotated[list[BatchItem], Field(min_length=1, description="The students' transcripts."),
                     AfterValidator(_distinct_students)]


class BatchStatus(BaseModel):
    """Where a batch is: `GET /batches/{batch_id}` (and the 202 of `POST /batches`)."""

    batch_id: str = Field(description="Id of the batch.")
    rubric_id: str = Field(description="The rubric every item is graded against.")
    rubric_version: str = Field(description="The rubric version, pinned when the batch was submitted.")
    state: BatchState = Field(description="`queued` (nothing started), `running`, or `complete` (every item done "
                                          "or failed).")
    total: int = Field(description="Items in the batch.")
    done: int = Field(description="Items graded (a grading is stored, or an earlier one reused).")
    failed: int = Field(description="Items that could not be graded; `GET /batches/{batch_id}/results` says why.")
    running: int = Field(description="Items being graded now.")
    queued: int = Field(description="Items waiting for a worker.")
    needs_review: int = Field(description="Graded items whose grading needs a teacher's review.")
    reused: int = Field(description="Items whose same transcript was graded before against the same rubric "
                                    "version for the same student: that grading is theirs.")
    created_at: datetime = Field(description="When the batch was submitted (UTC).")
    started_at: datetime | None = Field(default=None, description="When its first item started (UTC).")
    finished_at: datetime | None = Field(default=None, description="When its last item ended (UTC).")
    eta_s: float | None = Field(default=None, description=(
        "Seconds until it is complete at the pace so far; 0 when complete, absent before an item has ended."))
    results_url: str = Field(description="Its results, a page at a time.")
    csv_url: str = Field(description="Its results as a spreadsheet (CSV).")


class BatchResult(BaseModel):
    """One item of a batch and how it ended."""

    index: int = Field(description="The item's position in the batch, from 0.")
    student_id: str = Field(description="The student's id.")
    status: ItemStatus = Field(description="`queued`, `running`, `done` or `failed`.")
    grading_id: str | None = Field(default=None, description="The grading, for `GET /gradings/{grading_id}`.")
    reused: bool = Field(default=False, description="The grading was made before, for the same student, "
                                                    "transcript and rubric version.")
    overall: float | None = Field(default=None, description="The grading's overall score, from 0 to 1.")
    components: dict[str, float] = Field(default_factory=dict, description="Score of each weighted component.")
    needs_review: bool | None = Field(default=None, description="Whether a teacher should look at the grading.")
    warnings: list[str] = Field(default_factory=list, description="The codes of the grading's warnings.")
    error: dict[str, str] | None = Field(default=None, description=(
        "Why the item failed: `code` and `message` of the error `POST /grade` would have answered, after the "
        "retries of a transient failure."))
    attempts: int = Field(default=0, description="How many times it was tried.")


class BatchResultsPage(BaseModel):
    """A page of a batch's items, in submission order."""

    batch_id: str = Field(description="Id of the batch.")
    total: int = Field(description="Items in the batch.")
    offset: int = Field(description="Position of the first item of this page.")
    next_offset: int | None = Field(default=None, description="`offset` of the next page; absent on the last.")
    items: list[BatchResult] = Field(description="The items of this page.")
