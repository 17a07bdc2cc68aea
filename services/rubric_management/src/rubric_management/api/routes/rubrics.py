"""Read, list, create and validate rubrics. Handlers are sync: store I/O runs in the threadpool."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from fastapi.responses import Response

from medgrade_shared.examples import json_content
from medgrade_shared.models.rubric import Rubric
from rubric_management import lifecycle, versioning
from rubric_management.api.deps import JsonBody, RepositoryDep
from rubric_management.api.docs import QA_REPORT, RUBRIC_PAGE, RUBRIC_RESPONSE, STROKE_RUBRIC
from rubric_management.api.params import RubricIdPath, VersionQuery, creation_response, find, rubric_response
from rubric_management.api.schemas import RubricPage, UnreadableListing, VersionItem, VersionList
from rubric_management.documents import parse_rubric
from rubric_management.qa import QAReport, rejection, review_document
from rubric_management.repository import RubricListing, UnreadableVersion

router = APIRouter(prefix="/rubrics", tags=["rubrics"])

_RUBRIC_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/Rubric"}, "example": STROKE_RUBRIC}}}}


@router.get("", response_model=RubricPage, summary="List rubrics",
            responses={200: {"content": json_content(RUBRIC_PAGE)}})
def list_rubrics(
    repository: RepositoryDep,
    limit: Annotated[int, Query(ge=1, le=200, description="Rubrics per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Rubrics to skip.")] = 0,
) -> RubricPage:
    """Rubric ids in alphabetical order, each with its latest and its approved version. A rubric
    whose latest version does not load is listed under ``unreadable`` instead."""
    ids = repository.rubric_ids()
    items: list[RubricListing] = []
    unreadable: list[UnreadableListing] = []
    for rubric_id in ids[offset:offset + limit]:
        try:
            listing = repository.listing(rubric_id)
        except UnreadableVersion as exc:
            unreadable.append(UnreadableListing(rubric_id=exc.rubric_id, version=exc.version, problem=exc.problem))
            continue
        if listing is not None:
            items.append(listing)
    return RubricPage(items=items, unreadable=unreadable, total=len(ids), limit=limit, offset=offset)


@router.get("/{rubric_id}", response_model=Rubric, summary="Get a rubric version", responses={200: RUBRIC_RESPONSE})
def get_rubric(rubric_id: RubricIdPath, repository: RepositoryDep, version: VersionQuery = None) -> Response:
    """One version of a rubric with its current status. Without ``version``: the highest
    approved version (404 when none is approved). ``ETag`` hashes the body."""
    return rubric_response(find(repository, rubric_id, version))


@router.get("/{rubric_id}/versions", response_model=VersionList, summary="List a rubric's versions")
def list_versions(rubric_id: RubricIdPath, repository: RepositoryDep) -> VersionList:
    """Every version of a rubric with its status, highest first."""
    history = repository.history(rubric_id)
    if not history:
        raise versioning.not_found(repository, rubric_id)
    return VersionList(rubric_id=rubric_id,
                       items=[VersionItem(version=info.version, status=info.status) for info in history])


@router.post("", response_model=Rubric, status_code=status.HTTP_201_CREATED, openapi_extra=_RUBRIC_BODY,
             summary="Create a rubric version",
             responses={201: RUBRIC_RESPONSE,
                        200: {"description": "This version already exists with identical content."},
                        409: {"description": "This version already exists with other content."}})
def create_rubric(body: JsonBody, repository: RepositoryDep) -> Response:
    """Store a rubric version (``version`` defaults to 1.0.0, ``status`` to draft; ``approved``
    runs the QA gate first). Versions are immutable."""
    rubric = parse_rubric(body)
    outcome, stored = lifecycle.create(repository, rubric)
    return creation_response(outcome, stored, rubric.version)


@router.post("/validate", response_model=QAReport, summary="Run the QA gate without storing",
             openapi_extra=_RUBRIC_BODY,
             responses={200: {"content": json_content(QA_REPORT)},
                        422: {"description": "A check has an error; the report is in error.details."}})
def validate_rubric(body: JsonBody) -> QAReport:
    """The QA report of a rubric document, without storing it: 200 when it would pass the gate
    (warnings never block), 422 with the same report when a check has an error."""
    report = review_document(body)
    if not report.valid:
        raise rejection(report, "The rubric")
    return report
