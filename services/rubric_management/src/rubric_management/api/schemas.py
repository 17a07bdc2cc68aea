"""Response bodies of the rubric routes that are not the rubric itself."""

from __future__ import annotations

from pydantic import BaseModel

from rubric_management.qa import QAReport
from rubric_management.repository import RubricListing, Status


class RubricPage(BaseModel):
    items: list[RubricListing]
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
