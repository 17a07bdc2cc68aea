"""The parser's budgets: how much one request may make it read. The service takes them from
its settings (``MEDGRADE_PARSER_*``, :meth:`document_parser.core.config.ParserSettings.limits`);
in-process callers (benchmarks, tests) may pass none. Past a limit the input is refused with
413 before the expensive step it would feed, and the message says which limit in plain words."""

from __future__ import annotations

from dataclasses import dataclass

from medgrade_shared.errors import TooLarge


@dataclass(frozen=True)
class ParseLimits:
    """``None``: no limit."""

    max_chars: int | None = None
    max_utterances: int | None = None
    max_docx_unpacked_bytes: int | None = None
    max_docx_xml_nodes: int | None = None
    max_pdf_pages: int | None = None


NO_LIMITS = ParseLimits()


def over_limit(code: str, message: str, setting: str, limit: int) -> TooLarge:
    """``code`` (413) with ``message``; the details name the limit and the setting that sets it."""
    return TooLarge(code, message, {"limit": limit, "setting": f"MEDGRADE_PARSER_{setting.upper()}"})
