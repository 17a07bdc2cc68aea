"""The one error the parser raises for input it cannot turn into a transcript."""

from __future__ import annotations

from typing import Any


class TranscriptError(ValueError):
    """Input that is not a usable transcript; the API renders it with ``status`` (422 unless
    the input is not a kind of file the parser reads at all: 415) and ``code``."""

    def __init__(self, code: str, message: str, details: Any = None, status: int = 422) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
        self.status = status

    def __reduce__(self) -> tuple[type[TranscriptError], tuple[str, str, Any, int]]:
        # raised in an upload worker process (document_parser.isolation), it crosses back pickled
        return TranscriptError, (self.code, self.message, self.details, self.status)
