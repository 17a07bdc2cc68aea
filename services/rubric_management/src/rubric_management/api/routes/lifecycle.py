"""Approve (through the QA gate) and archive rubric versions. Nothing is ever deleted."""

from __future__ import annotations

from fastapi import APIRouter

from rubric_management import lifecycle
from rubric_management.api.deps import RepositoryDep
from rubric_management.api.params import RequiredVersionQuery, RubricIdPath, VersionPath, find
from rubric_management.api.schemas import StatusChange

router = APIRouter(prefix="/rubrics", tags=["rubrics"])


def _change(transition: lifecycle.Transition) -> StatusChange:
    version = transition.version
    return StatusChange(rubric_id=version.rubric_id, version=version.version, status=version.status,
                        etag=version.etag, report=transition.report)


@router.post("/{rubric_id}/approve", response_model=StatusChange, summary="Approve a version",
             responses={404: {"description": "No such version."},
                        409: {"description": "The version is archived."},
                        422: {"description": "The version fails the QA gate; the report is in error.details."}})
def approve_version(rubric_id: RubricIdPath, version: RequiredVersionQuery, repository: RepositoryDep) -> StatusChange:
    """Run the QA gate on a version and approve it when no check has an error. Idempotent."""
    return _change(lifecycle.approve(repository, find(repository, rubric_id, version)))


@router.post("/{rubric_id}/versions/{version}/archive", response_model=StatusChange, summary="Archive a version",
             responses={404: {"description": "No such version."}})
def archive_version(rubric_id: RubricIdPath, version: VersionPath, repository: RepositoryDep) -> StatusChange:
    """Archive a version: it stays readable by its version but is no longer "latest approved". Idempotent."""
    return _change(lifecycle.archive(repository, find(repository, rubric_id, version)))
