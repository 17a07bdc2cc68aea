"""PDF transcripts, read with ``pypdf``: the text layer of every page, as a plain-text
transcript. A PDF that needs a password, or has no text layer (a scan), is refused, saying
why; one encrypted only against editing (an empty user password) opens as any viewer does.
The page count is checked before any text is extracted, and the caller's deadline after each
page."""

from __future__ import annotations

import io

from pypdf import PasswordType, PdfReader

from document_parser.parsing.limits import NO_LIMITS, ParseLimits, over_limit
from medgrade_shared.deadline import check as check_deadline
from medgrade_shared.errors import DomainError, Invalid


def pdf_text(data: bytes, limits: ParseLimits = NO_LIMITS) -> str:
    try:
        reader = PdfReader(io.BytesIO(data))
        locked = reader.is_encrypted and _needs_password(reader)
        text = "" if locked else _text_layer(reader, limits.max_pdf_pages)
    except DomainError:
        raise
    except Exception:  # a third-party reader failing on untrusted bytes: the input is at fault
        raise Invalid("invalid_pdf", "The PDF could not be read.") from None
    if locked:
        raise Invalid("pdf_encrypted", "The PDF is encrypted with a password; upload an unprotected copy.")
    if not text.strip():
        raise Invalid("pdf_no_text_layer", "The PDF has no text layer (is it a scan?); the parser needs a PDF "
                      "with a text layer: export it from the document, or run OCR first.")
    return text


def _text_layer(reader: PdfReader, max_pages: int | None) -> str:
    pages = len(reader.pages)
    if max_pages is not None and pages > max_pages:
        raise over_limit("pdf_too_many_pages", f"The PDF has {pages:,} pages; the parser reads at most {max_pages:,}.",
                         "max_pdf_pages", max_pages)
    texts = []
    for page in reader.pages:
        texts.append(page.extract_text() or "")
        check_deadline("parse (PDF pages)")
    return "\n".join(texts)


def _needs_password(reader: PdfReader) -> bool:
    try:
        return reader.decrypt("") == PasswordType.NOT_DECRYPTED
    except Exception:  # an encryption pypdf cannot open without extra packages is as good as locked
        return True
