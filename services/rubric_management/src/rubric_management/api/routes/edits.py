"""PUT (full replacement) and PATCH (RFC 6902 JSON Patch): each makes a new draft version
from the latest one; see :mod:`rubric_management.versioning` for the bump rule and concurrency."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, status
from fastapi.responses import Response

from medgrade_shared.models.rubric import Rubric
from rubric_management import versioning
from rubric_management.api.deps import JSON, JSON_PATCH, JsonBody, JsonPatchBody, RepositoryDep, SettingsDep
from rubric_management.api.docs import PATCH_EXAMPLE, STROKE_RUBRIC
from rubric_management.api.params import RubricIdPath, location, rubric_response
from rubric_management.repository import RubricVersion

router = APIRouter(prefix="/rubrics", tags=["rubrics"])

IfMatch = Annotated[str | None, Header(description="ETag of the latest version; a stale one is a 412.")]

_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such rubric."},
    409: {"description": "A JSON Patch test failed, a PUT body of an older version, or too many concurrent edits."},
    412: {"description": "If-Match is not the ETag of the latest version."},
    413: {"description": "The body is too large."},
    415: {"description": "Unsupported media type."},
    422: {"description": "Invalid body, invalid result, or a managed field (rubric_id, version, status) changed."},
}
_PATCH_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    media: {"schema": {"type": "array", "items": {"type": "object"}}, "example": PATCH_EXAMPLE}
    for media in (JSON_PATCH, JSON)}}}
_PUT_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    JSON: {"schema": {"$ref": "#/components/schemas/Rubric"}, "example": STROKE_RUBRIC}}}}


def _created(version: RubricVersion) -> Response:
    return rubric_response(version, status.HTTP_201_CREATED, {"Location": location(version)})


@router.put("/{rubric_id}", response_model=Rubric, status_code=status.HTTP_201_CREATED, summary="Replace a rubric",
            responses=_RESPONSES, openapi_extra=_PUT_BODY)
def replace_rubric(rubric_id: RubricIdPath, body: JsonBody, repository: RepositoryDep, settings: SettingsDep,
                   if_match: IfMatch = None) -> Response:
    """Replace the whole rubric: the body becomes the next version (a draft)."""
    latest = repository.latest(rubric_id)
    if latest is None:
        raise versioning.not_found(repository, rubric_id)
    change = versioning.replacement(body, latest, repository)
    return _created(versioning.edit(repository, rubric_id, change, if_match=if_match,
                                    attempts=settings.edit_attempts))


@router.patch("/{rubric_id}", response_model=Rubric, status_code=status.HTTP_201_CREATED, summary="Patch a rubric",
              responses=_RESPONSES, openapi_extra=_PATCH_BODY)
def patch_rubric(rubric_id: RubricIdPath, body: JsonPatchBody, repository: RepositoryDep, settings: SettingsDep,
                 if_match: IfMatch = None) -> Response:
    """Apply a JSON Patch to the latest version: the result becomes the next version (a draft)."""
    change = versioning.json_patch(body, settings.max_body_bytes)
    return _created(versioning.edit(repository, rubric_id, change, if_match=if_match,
                                    attempts=settings.edit_attempts))
