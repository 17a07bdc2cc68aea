"""The one error the parser raises for input it cannot turn into a transcript."""

from __future__ import annotations

from typing import Any


class TranscriptError(ValueError):
    """Input that is not a usable transcript; the API renders it as a 422 with ``code``."""

    def __init__(self, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
