"""Response bodies of the rubric routes that are not the rubric itself."""

from __future__ import annotations

from pydantic import BaseModel

from rubric_management.qa import QAReport
from rubric_management.repository import Status


class RubricSummary(BaseModel):
    rubric_id: str
    title: str | None
    latest_version: str
    status: Status
    """Status of ``latest_version``."""
    approved_version: str | None
    """What ``GET /rubrics/{id}`` returns; None while no version is approved."""
    versions: int


class RubricPage(BaseModel):
    items: list[RubricSummary]
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
