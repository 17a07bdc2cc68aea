"""PDF transcripts, read with ``pypdf``: the text layer of every page, as a plain-text
transcript. An encrypted PDF or one without a text layer (a scan) is refused, saying why."""

from __future__ import annotations

import io

from pypdf import PdfReader

from document_parser.parsing.errors import TranscriptError


def pdf_text(data: bytes) -> str:
    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
        text = "" if encrypted else "\n".join(page.extract_text() or "" for page in reader.pages)
    except Exception:  # a third-party reader failing on untrusted bytes: the input is at fault
        raise TranscriptError("invalid_pdf", "The PDF could not be read.") from None
    if encrypted:
        raise TranscriptError("pdf_encrypted", "The PDF is encrypted (password-protected); upload an unprotected copy.")
    if not text.strip():
        raise TranscriptError("pdf_no_text_layer", "The PDF has no text layer (is it a scan?); the parser needs a PDF "
                                                   "with a text layer: export it from the document, or run OCR first.")
    return text
