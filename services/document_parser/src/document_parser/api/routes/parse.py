"""``POST /parse``: a transcript in, utterances, sections and the summary out."""

from __future__ import annotations

from fastapi import APIRouter
from medgrade_shared.errors import ApiError
from medgrade_shared.models.transcript import ParsedTranscript, ParseRequest

from document_parser.api.deps import SettingsDep
from document_parser.parsing.errors import TranscriptError
from document_parser.parsing.pipeline import parse_transcript

router = APIRouter(prefix="/parse", tags=["parse"])


@router.post("", response_model=ParsedTranscript)
def parse(request: ParseRequest, settings: SettingsDep) -> ParsedTranscript:
    """A plain ``def``: parsing is CPU work, so FastAPI runs it in the thread pool."""
    if len(request.text) > settings.max_chars:
        raise ApiError(413, "transcript_too_large", f"The transcript is longer than {settings.max_chars} characters.")
    try:
        return parse_transcript(request.text, request.format, request.summary_text)
    except TranscriptError as exc:
        raise ApiError(422, exc.code, exc.message, exc.details) from None
