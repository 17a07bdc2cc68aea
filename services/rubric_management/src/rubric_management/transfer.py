"""Rubrics as files: export a version as JSON or YAML, read an uploaded rubric file.

An exported file re-imports as the same version (identical content → 200). Uploads are one
multipart field named ``file``, at most ``max_body_bytes`` long; JSON or YAML is told by the
content (see :func:`rubric_management.documents.sniff`), never by the file name.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Literal

import yaml
from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from medgrade_shared.errors import Invalid, Malformed, UnsupportedMedia
from medgrade_shared.settings import MULTIPART_FRAMING_BYTES
from rubric_management.documents import read_limited, too_large
from rubric_management.repository import RubricVersion

ExportFormat = Literal["json", "yaml"]
MEDIA_TYPES: dict[ExportFormat, str] = {"json": "application/json", "yaml": "application/yaml"}
UPLOAD_FIELD = "file"


def export_filename(version: RubricVersion, fmt: ExportFormat, day: date) -> str:
    return f"{version.rubric_id}_{version.version}_{day.isoformat()}.{fmt}"


def export_bytes(version: RubricVersion, fmt: ExportFormat) -> bytes:
    document = version.document()
    if fmt == "yaml":
        return yaml.safe_dump(document, sort_keys=True, allow_unicode=True).encode("utf-8")
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


async def read_upload(request: Request, limit: int) -> bytes:
    """The bytes of the uploaded ``file`` field; 413 past ``limit``, 415 unless multipart."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "multipart/form-data":
        raise UnsupportedMedia("unsupported_media_type",
                               f"Upload the rubric as multipart/form-data in a field named {UPLOAD_FIELD!r}.")
    parser = MultiPartParser(request.headers, read_limited(request.stream(), limit, MULTIPART_FRAMING_BYTES),
                             max_files=1, max_fields=8)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise Malformed("bad_request", f"The multipart body is not valid: {exc.message}") from None
    try:
        upload = form.get(UPLOAD_FIELD)
        if not isinstance(upload, UploadFile):
            raise Invalid("invalid_request", f"No file in the multipart field {UPLOAD_FIELD!r}.",
                          [{"loc": ["body", UPLOAD_FIELD], "msg": "a file is required", "type": "missing"}])
        data = await upload.read(limit + 1)
    finally:
        await form.close()
    if len(data) > limit:
        raise too_large(limit)
    return data
