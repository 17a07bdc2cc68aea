"""``POST /grade/upload``: grade a transcript sent as a file (text, WebVTT, SRT, JSON, DOCX or
PDF), multipart form data. The file goes to document_parser's ``POST /parse/upload``, which
sniffs its type from the bytes; the rest is ``POST /grade`` exactly: same result document,
same errors (the parser's 413, 415 and 422 keep their status; 503 names a failed service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response

from grading_orchestrator import uploads
from grading_orchestrator.api.deps import PipelineDep
from grading_orchestrator.api.docs import GRADING_RESPONSE
from grading_orchestrator.pipeline import Target
from medgrade_shared.models.errors import ErrorEnvelope
from medgrade_shared.models.grading import GradeRequest, StudentId, Submission
from medgrade_shared.models.rubric import RubricId, SemVer, SubmissionKind
from medgrade_shared.models.vocabulary import UploadFormat

router = APIRouter(prefix="/grade", tags=["grading"])


_ERRORS = {code: {"model": ErrorEnvelope} for code in (404, 413, 415, 422, 502, 503, 504)}
# The form fields mean what the fields of POST /grade's JSON body mean.
_FIELDS = {**GradeRequest.model_fields, **Submission.model_fields}


@router.post("/upload", summary="Grade an uploaded transcript file", responses={200: GRADING_RESPONSE, **_ERRORS})
async def grade_upload(
    pipeline: PipelineDep,
    file: Annotated[UploadFile, File(description=(
        "The transcript file: text, WebVTT, SRT, JSON, Word (.docx) or PDF, at most 10 MiB."))],
    rubric_id: Annotated[RubricId, Form(description=_FIELDS["rubric_id"].description)],
    student_id: Annotated[StudentId, Form(description=_FIELDS["student_id"].description)],
    rubric_version: Annotated[SemVer | None, Form(description=_FIELDS["rubric_version"].description)] = None,
    summary_text: Annotated[str | None, Form(max_length=100_000, description=_FIELDS["summary_text"].description)]
    = None,
    format: Annotated[UploadFormat, Form(description="The file's format; `auto` tells it from its bytes.")] = "auto",
    kind: Annotated[SubmissionKind, Form(description=_FIELDS["kind"].description)] = "interview",
) -> Response:
    """Like `POST /grade`, with the transcript as a multipart file and the other fields as form
    fields; the parser reads the file's type from its bytes."""
    filename = uploads.safe_filename(file.filename)
    content = await file.read(uploads.MAX_UPLOAD_BYTES + 1)
    uploads.check_size(len(content), filename)
    content_type = file.content_type or "application/octet-stream"

    async def parse() -> bytes:
        return await pipeline.parser.upload(content, filename, content_type, format, summary_text)

    document = await pipeline.grade(Target(rubric_id, rubric_version, student_id, kind), parse=parse)
    return Response(content=document, media_type="application/json")
