"""Uploaded files: what kind of file the bytes are (never what the name or the caller says),
then the matching reader. PDF and Word files become plain-text transcripts."""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from document_parser.parsing.decoding import decode_text, has_bom
from document_parser.parsing.docx_format import docx_text
from document_parser.parsing.limits import NO_LIMITS, ParseLimits
from document_parser.parsing.pdf_format import pdf_text
from document_parser.parsing.pipeline import parse_transcript
from medgrade_shared.errors import UnsupportedMedia
from medgrade_shared.models.transcript import ParsedTranscript

BINARY_KINDS = {"pdf": ".pdf", "docx": ".docx"}
_PDF_MAGIC = b"%PDF-"
_PDF_HEADER_WINDOW = 1024  # the header may follow a little junk, as readers allow
_ZIP_MAGIC = b"PK\x03\x04"
_SNIFF_BYTES = 8192


def _unsupported(message: str) -> UnsupportedMedia:
    return UnsupportedMedia("unsupported_file_type", message)


def sniff_kind(data: bytes) -> str:
    """``pdf``, ``docx`` or ``text``, from the bytes; 415 for other binary files."""
    if _PDF_MAGIC in data[:_PDF_HEADER_WINDOW]:
        return "pdf"
    if data.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                is_docx = "word/document.xml" in archive.namelist()
        except zipfile.BadZipFile:
            is_docx = False
        if not is_docx:
            raise _unsupported("The file is a ZIP archive but not a Word (.docx) document.")
        return "docx"
    if b"\x00" in data[:_SNIFF_BYTES] and not has_bom(data):
        raise _unsupported("The file is binary, not a transcript: send text, WebVTT, SRT, JSON, DOCX or PDF.")
    return "text"


def parse_upload(data: bytes, filename: str | None = None, fmt: str = "auto",
                 summary_text: str | None = None, limits: ParseLimits = NO_LIMITS) -> ParsedTranscript:
    kind = sniff_kind(data)
    claimed = next((k for k, suffix in BINARY_KINDS.items()
                    if fmt == k or (filename and PurePath(filename).suffix.lower() == suffix)), None)
    if claimed is not None and claimed != kind:
        raise _unsupported(f"The file is named or declared {claimed.upper()} but its content is not one.")
    if kind == "pdf":
        return parse_transcript(pdf_text(data, limits), "text", summary_text, limits).model_copy(
            update={"format": "pdf"})
    if kind == "docx":
        return parse_transcript(docx_text(data, limits), "text", summary_text, limits).model_copy(
            update={"format": "docx"})
    return parse_transcript(decode_text(data), fmt, summary_text, limits)
