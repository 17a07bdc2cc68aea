"""Errors a service raises on purpose, rendered in the one JSON envelope."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An expected failure with an HTTP status, a stable code and a message for the caller."""

    def __init__(self, status_code: int, code: str, message: str, details: Any = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
