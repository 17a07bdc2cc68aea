"""Response bodies of the rubric routes that are not the rubric itself."""

from __future__ import annotations

from pydantic import BaseModel, Field

from rubric_management.qa import QAReport
from rubric_management.repository import RubricListing, Status


class UnreadableListing(BaseModel):
    """A rubric of the page whose latest version does not load: it needs an operator."""

    rubric_id: str = Field(description="The rubric's id.")
    version: str = Field(description="The version that does not load.")
    problem: str = Field(description="Why it does not load.")


class RubricPage(BaseModel):
    """One page of `GET /rubrics`, in alphabetical order of id."""

    items: list[RubricListing] = Field(description="The rubrics of this page.")
    unreadable: list[UnreadableListing] = Field(default=[], description=(
        "Rubrics of this page that could not be listed; `total` counts them too."))
    total: int = Field(description="How many rubrics there are in all.")
    limit: int = Field(description="The page size asked for.")
    offset: int = Field(description="How many rubrics come before this page.")


class VersionItem(BaseModel):
    """One version of a rubric."""

    version: str = Field(description="The version, e.g. `1.2.0`.")
    status: Status = Field(description="Its status: `draft`, `approved` or `archived`.")


class VersionList(BaseModel):
    """Every version of a rubric."""

    rubric_id: str = Field(description="The rubric's id.")
    items: list[VersionItem] = Field(description="Its versions, highest first.")


class StatusChange(BaseModel):
    """A version after an approval or archiving."""

    rubric_id: str = Field(description="The rubric's id.")
    version: str = Field(description="The version changed.")
    status: Status = Field(description="Its status now.")
    etag: str = Field(description="The version's `ETag` now (it hashes the body, status included).")
    report: QAReport | None = Field(default=None, description="The QA report, when the change ran the QA gate.")
