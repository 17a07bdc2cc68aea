"""Dependencies of the rubric routes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from medgrade_shared.errors import ApiError
from rubric_management.core.config import RubricSettings, get_settings
from rubric_management.documents import parse_json, read_limited, too_large
from rubric_management.repository import RubricRepository

JSON = "application/json"
JSON_PATCH = "application/json-patch+json"


def get_repository(request: Request) -> RubricRepository:
    repository: RubricRepository = request.app.state.repository
    return repository


RepositoryDep = Annotated[RubricRepository, Depends(get_repository)]
SettingsDep = Annotated[RubricSettings, Depends(get_settings)]


def json_body(*media_types: str) -> Callable[[Request, RubricSettings], Awaitable[Any]]:
    """A dependency reading a JSON body of one of ``media_types``: 415 for another media type,
    413 past ``max_body_bytes`` (before reading it all), 422 unless it is valid JSON."""

    async def read(request: Request, settings: SettingsDep) -> Any:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in media_types:
            raise ApiError(415, "unsupported_media_type", f"Send the body as {' or '.join(media_types)}.",
                           {"accepted": list(media_types)})
        limit = settings.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large(limit)
        body = b"".join([chunk async for chunk in read_limited(request.stream(), limit)])
        return parse_json(body)

    return read


JsonBody = Annotated[Any, Depends(json_body(JSON))]
JsonPatchBody = Annotated[Any, Depends(json_body(JSON_PATCH, JSON))]
