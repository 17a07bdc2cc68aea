"""``POST /parse`` (a transcript as text) and ``POST /parse/upload`` (a file): utterances,
sections and the summary out. Plain ``def`` routes: parsing is CPU work, so FastAPI runs
them in the thread pool. ``/parse`` is on every grading's path, so its body is decoded and
its result serialised once (``medgrade_shared.json_body``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import Response

from document_parser.api.deps import IsolatedDep, SettingsDep
from document_parser.parsing.limits import over_limit
from document_parser.parsing.pipeline import parse_transcript
from document_parser.parsing.uploads import parse_upload
from medgrade_shared.examples import example, json_content
from medgrade_shared.json_body import body_schema, json_body, json_response
from medgrade_shared.models.errors import ErrorEnvelope
from medgrade_shared.models.transcript import ParsedTranscript, ParseRequest
from medgrade_shared.models.vocabulary import UploadFormat

router = APIRouter(prefix="/parse", tags=["parse"])

_PARSED = {"model": ParsedTranscript, "content": json_content(example("parsed_transcript"))}


@router.post("", response_class=Response, openapi_extra=body_schema(ParseRequest, example("parse_request")),
             summary="Parse a transcript",
             responses={200: _PARSED, **{code: {"model": ErrorEnvelope} for code in (413, 422, 504)}})
def parse(request: Annotated[ParseRequest, Depends(json_body(ParseRequest))], settings: SettingsDep) -> Response:
    """Utterances with speakers and roles, the history sections and the summary; 413 past the
    parser's limits (`MEDGRADE_PARSER_MAX_CHARS`, `MEDGRADE_PARSER_MAX_UTTERANCES`), 422 for a
    transcript that cannot be read (e.g. a time stamp past 24 hours), naming the utterance; 504
    past the caller's deadline."""
    return json_response(parse_transcript(request.text, request.format, request.summary_text, settings.limits()))


@router.post("/upload", response_model=ParsedTranscript, summary="Parse an uploaded transcript file",
             responses={200: _PARSED})
def upload(settings: SettingsDep, isolated: IsolatedDep,
           file: Annotated[UploadFile, File(description="The transcript file.")],
           summary_text: Annotated[str | None, Form(
               max_length=100_000, description=ParseRequest.model_fields["summary_text"].description)] = None,
           format: Annotated[UploadFormat, Form(description="The file's format; `auto` tells it from its bytes.")]
           = "auto") -> ParsedTranscript:
    """The type is sniffed from the bytes: a PDF (``%PDF-``), a Word document (a ZIP with
    ``word/document.xml``) or text (UTF-8, UTF-8/UTF-16 with a BOM, else Windows-1252). The file
    is read in a worker process with a memory and a time limit (413 `parse_memory_limit`,
    `parse_time_limit`; :mod:`document_parser.isolation`)."""
    limit = settings.max_upload_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise over_limit("file_too_large", f"The file is larger than {limit:,} bytes, the most the parser reads.",
                         "max_upload_bytes", limit)
    return isolated.run(parse_upload, data, file.filename, format, summary_text, settings.limits())
