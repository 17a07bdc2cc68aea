"""Response bodies of the rubric routes that are not the rubric itself."""

from __future__ import annotations

from pydantic import BaseModel

from rubric_management.qa import QAReport
from rubric_management.repository import RubricListing, Status


class UnreadableListing(BaseModel):
    """A rubric of the page whose latest version does not load: it needs an operator."""

    rubric_id: str
    version: str
    problem: str


class RubricPage(BaseModel):
    items: list[RubricListing]
    unreadable: list[UnreadableListing] = []
    """Rubrics of this page that could not be listed; ``total`` counts them too."""
    total: int
    limit: int
    offset: int


class VersionItem(BaseModel):
    version: str
    status: Status


class VersionList(BaseModel):
    rubric_id: str
    items: list[VersionItem]
    """Highest version first."""


class StatusChange(BaseModel):
    rubric_id: str
    version: str
    status: Status
    etag: str
    report: QAReport | None = None
    """The QA report, when the change ran the QA gate."""
