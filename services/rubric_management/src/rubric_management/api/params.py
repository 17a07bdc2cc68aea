"""Path and query parameters shared by the rubric routes, and the rubric response."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, status
from fastapi.responses import Response

from medgrade_shared.errors import ApiError
from medgrade_shared.models.rubric import RUBRIC_ID_PATTERN, SEMVER_PATTERN
from rubric_management.repository import CreateOutcome, RubricRepository, RubricVersion, VersionInfo
from rubric_management.versioning import not_found

RubricIdPath = Annotated[str, Path(pattern=RUBRIC_ID_PATTERN, description="Lower-case id, e.g. stroke_v1")]
VersionPath = Annotated[str, Path(pattern=SEMVER_PATTERN, description="Exact version, e.g. 1.2.0")]
VersionQuery = Annotated[str | None, Query(pattern=SEMVER_PATTERN, description="Exact version, e.g. 1.2.0")]
RequiredVersionQuery = Annotated[str, Query(pattern=SEMVER_PATTERN, description="Exact version, e.g. 1.2.0")]


def rubric_response(version: RubricVersion, status_code: int = status.HTTP_200_OK,
                    headers: dict[str, str] | None = None) -> Response:
    return Response(version.body, status_code=status_code, media_type="application/json",
                    headers={"ETag": version.etag, **(headers or {})})


def location(version: RubricVersion) -> str:
    return f"/rubrics/{version.rubric_id}?version={version.version}"


def _listed(history: list[VersionInfo]) -> str:
    return ", ".join(f"{info.version} ({info.status})" for info in history)


def find(repository: RubricRepository, rubric_id: str, version: str | None) -> RubricVersion:
    """That version, or without one the latest approved version; 404 with the reason otherwise.
    ``details.reason`` tells the cases apart for callers that phrase their own hint (the
    orchestrator names its ``rubric_version`` field, not this route's ``?version=``)."""
    found = repository.get(rubric_id, version) if version is not None else repository.latest_approved(rubric_id)
    if found is not None:
        return found
    history = repository.history(rubric_id)
    if not history:
        raise not_found(repository, rubric_id)
    versions = [{"version": info.version, "status": info.status} for info in history]
    if version is not None:
        raise ApiError(404, "not_found", f"There is no version {version} of rubric {rubric_id!r}; it has "
                       f"{_listed(history)}.", {"reason": "unknown_version", "rubric_id": rubric_id,
                                                 "versions": versions})
    raise ApiError(404, "not_found", f"Rubric {rubric_id!r} has no approved version yet ({_listed(history)}); "
                   "ask for one of them with ?version= or approve one.",
                   {"reason": "no_approved_version", "rubric_id": rubric_id, "versions": versions})


def creation_response(outcome: CreateOutcome, stored: RubricVersion, requested: str) -> Response:
    """201 for a new version, 200 for identical content, 409 for other content under that version."""
    if outcome is CreateOutcome.CONFLICT:
        raise ApiError(status.HTTP_409_CONFLICT, "conflict",
                       f"Version {requested} of rubric {stored.rubric_id!r} already exists with other content; "
                       "versions are immutable: edit the rubric (PUT or PATCH) to make a new version.",
                       {"rubric_id": stored.rubric_id, "version": requested})
    code = status.HTTP_201_CREATED if outcome is CreateOutcome.CREATED else status.HTTP_200_OK
    return rubric_response(stored, code, {"Location": location(stored)})
