"""PDF transcripts, read with ``pypdf``: the text layer of every page, as a plain-text
transcript. A PDF that needs a password, or has no text layer (a scan), is refused, saying
why; one encrypted only against editing (an empty user password) opens as any viewer does."""

from __future__ import annotations

import io

from pypdf import PasswordType, PdfReader

from document_parser.parsing.errors import TranscriptError


def pdf_text(data: bytes) -> str:
    try:
        reader = PdfReader(io.BytesIO(data))
        locked = reader.is_encrypted and _needs_password(reader)
        text = "" if locked else "\n".join(page.extract_text() or "" for page in reader.pages)
    except Exception:  # a third-party reader failing on untrusted bytes: the input is at fault
        raise TranscriptError("invalid_pdf", "The PDF could not be read.") from None
    if locked:
        raise TranscriptError("pdf_encrypted", "The PDF is encrypted with a password; upload an unprotected copy.")
    if not text.strip():
        raise TranscriptError("pdf_no_text_layer", "The PDF has no text layer (is it a scan?); the parser needs a PDF "
                                                   "with a text layer: export it from the document, or run OCR first.")
    return text


def _needs_password(reader: PdfReader) -> bool:
    try:
        return reader.decrypt("") == PasswordType.NOT_DECRYPTED
    except Exception:  # an encryption pypdf cannot open without extra packages is as good as locked
        return True
