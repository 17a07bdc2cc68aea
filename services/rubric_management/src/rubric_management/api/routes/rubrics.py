"""Read, list and create rubric versions. Handlers are sync: store I/O runs in the threadpool."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import Response
from medgrade_shared.errors import ApiError
from medgrade_shared.models.rubric import RUBRIC_ID_PATTERN, SEMVER_PATTERN, Rubric

from rubric_management.api.deps import RepositoryDep
from rubric_management.api.schemas import RubricPage, RubricSummary
from rubric_management.patterns import pattern_problems
from rubric_management.repository import CreateOutcome, StoredRubric

router = APIRouter(prefix="/rubrics", tags=["rubrics"])

RubricIdPath = Annotated[str, Path(pattern=RUBRIC_ID_PATTERN, description="Lower-case id, e.g. stroke_v1")]
VersionQuery = Annotated[str | None, Query(pattern=SEMVER_PATTERN, description="Exact version, e.g. 1.2.0")]


def _rubric_response(stored: StoredRubric, status_code: int = status.HTTP_200_OK,
                     headers: dict[str, str] | None = None) -> Response:
    return Response(stored.data, status_code=status_code, media_type="application/json",
                    headers={"ETag": stored.etag, **(headers or {})})


@router.get("", response_model=RubricPage)
def list_rubrics(
    repository: RepositoryDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> RubricPage:
    """Rubric ids in alphabetical order, each with its latest version."""
    ids = repository.rubric_ids()
    items = []
    for rubric_id in ids[offset:offset + limit]:
        listing = repository.listing(rubric_id)
        if listing is not None:
            items.append(RubricSummary(**vars(listing)))
    return RubricPage(items=items, total=len(ids), limit=limit, offset=offset)


@router.get("/{rubric_id}", response_model=Rubric)
def get_rubric(rubric_id: RubricIdPath, repository: RepositoryDep, version: VersionQuery = None) -> Response:
    """One version of a rubric. Without ``version``: the latest, i.e. the highest approved version,
    or the highest version of any status when none is approved. ``ETag`` hashes the body."""
    stored = repository.get(rubric_id, version)
    if stored is None:
        what = f"version {version} of rubric {rubric_id!r}" if version else f"rubric {rubric_id!r}"
        raise ApiError(status.HTTP_404_NOT_FOUND, "not_found", f"There is no {what}.")
    return _rubric_response(stored)


@router.post("", response_model=Rubric, status_code=status.HTTP_201_CREATED,
             responses={200: {"description": "This version already exists with identical content."},
                        409: {"description": "This version already exists with other content."}})
def create_rubric(rubric: Rubric, repository: RepositoryDep) -> Response:
    """Store a rubric version (``version`` defaults to 1.0.0). Versions are immutable."""
    problems = pattern_problems(rubric)
    if problems:
        raise ApiError(422, "invalid_request",
                       "Some rubric patterns are not valid RE2 regular expressions.", problems)
    outcome, stored = repository.create(rubric)
    if outcome is CreateOutcome.CONFLICT:
        raise ApiError(status.HTTP_409_CONFLICT, "conflict",
                       f"Version {rubric.version} of rubric {rubric.rubric_id!r} already exists with other "
                       "content; versions are immutable, submit a new version.",
                       {"rubric_id": rubric.rubric_id, "version": rubric.version})
    location = f"/rubrics/{rubric.rubric_id}?version={rubric.version}"
    code = status.HTTP_201_CREATED if outcome is CreateOutcome.CREATED else status.HTTP_200_OK
    return _rubric_response(stored, code, {"Location": location})
