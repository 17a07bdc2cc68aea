"""Rubric files: export a version as JSON or YAML, import an uploaded JSON or YAML file."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import Response

from medgrade_shared.models.rubric import Rubric
from rubric_management import lifecycle
from rubric_management.api.deps import RepositoryDep, SettingsDep
from rubric_management.api.params import RubricIdPath, VersionQuery, creation_response, find
from rubric_management.documents import parse_rubric, sniff
from rubric_management.transfer import MEDIA_TYPES, ExportFormat, export_bytes, export_filename, read_upload

router = APIRouter(prefix="/rubrics", tags=["rubric files"])


async def _upload(request: Request, settings: SettingsDep) -> bytes:
    return await read_upload(request, settings.max_body_bytes)


@router.get("/{rubric_id}/export", response_class=Response, summary="Download a version as a file",
            responses={200: {"content": {media: {} for media in MEDIA_TYPES.values()}}})
def export_rubric(rubric_id: RubricIdPath, repository: RepositoryDep, version: VersionQuery = None,
                  fmt: Annotated[ExportFormat, Query(alias="format", description="`json` or `yaml`.")] = "json",
                  ) -> Response:
    """Download a version as a file (default: the latest approved one)."""
    found = find(repository, rubric_id, version)
    filename = export_filename(found, fmt, datetime.now(UTC).date())
    return Response(export_bytes(found, fmt), media_type=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "ETag": found.etag})


@router.post("/import", response_model=Rubric, status_code=status.HTTP_201_CREATED, summary="Upload a rubric file",
             openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["file"],
                 "properties": {"file": {"type": "string", "format": "binary",
                                         "description": "A rubric as a JSON or YAML file."}}}}}}},
             responses={200: {"description": "This version already exists with identical content."},
                        409: {"description": "This version already exists with other content."},
                        413: {"description": "The file is too large."},
                        415: {"description": "Not multipart, or the file is not UTF-8 JSON or YAML."}})
def import_rubric(data: Annotated[bytes, Depends(_upload)], repository: RepositoryDep) -> Response:
    """Store the rubric in an uploaded JSON or YAML file (field ``file``), like ``POST /rubrics``."""
    rubric = parse_rubric(sniff(data), prefix=("file",))
    outcome, stored = lifecycle.create(repository, rubric)
    return creation_response(outcome, stored, rubric.version)
