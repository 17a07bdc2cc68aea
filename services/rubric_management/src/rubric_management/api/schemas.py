"""Response bodies of the rubric routes that are not the rubric itself."""

from __future__ import annotations

from pydantic import BaseModel


class RubricSummary(BaseModel):
    rubric_id: str
    title: str | None
    latest_version: str
    status: str
    versions: int


class RubricPage(BaseModel):
    items: list[RubricSummary]
    total: int
    limit: int
    offset: int
