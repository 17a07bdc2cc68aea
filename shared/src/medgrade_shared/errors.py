"""Errors a service raises on purpose, rendered in the one JSON envelope.

Domain code (parsing, scoring, rubric versions, the grading pipeline) raises a
:class:`DomainError`: a kind of failure (the subclass), a stable code, a message for the
caller and details, and nothing of HTTP. :mod:`medgrade_shared.service` gives each kind its
status, in one table, for every service. :class:`ApiError` is for the HTTP layer itself
(routes, dependencies, authentication), where the status is the point.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """An expected failure the caller can act on. ``retry_after_s`` tells a caller of a
    temporary failure when to try again."""

    def __init__(self, code: str, message: str, details: Any = None, *, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
        self.retry_after_s = retry_after_s

    def __reduce__(self) -> tuple[Any, ...]:
        # raised in a worker process (document_parser.isolation), it crosses back pickled
        return _rebuild, (type(self), self.code, self.message, self.details, self.retry_after_s)


def _rebuild(kind: type[DomainError], code: str, message: str, details: Any,
             retry_after_s: int | None) -> DomainError:
    return kind(code, message, details, retry_after_s=retry_after_s)


class Malformed(DomainError):
    """The request cannot be read at all (a broken multipart body)."""


class NotFound(DomainError):
    """What was asked for does not exist."""


class Conflict(DomainError):
    """The request contradicts what is stored (a version that exists with other content)."""


class PreconditionFailed(DomainError):
    """The caller's view is out of date (If-Match against an older version)."""


class TooLarge(DomainError):
    """The input is past a limit of the service."""


class UnsupportedMedia(DomainError):
    """The input is not a kind of file or body the service reads."""


class Invalid(DomainError):
    """The input is well formed but cannot be used as it is."""


class UpstreamFailed(DomainError):
    """A service this one depends on answered wrongly; retrying will not help."""


class Unavailable(DomainError):
    """A dependency (a service, the store, the model) is not available now; retry later."""


class DeadlineExceeded(DomainError):
    """The caller's deadline passed; the work was stopped and nothing was produced."""


class Damaged(DomainError):
    """Stored data does not load as what it should be; an operator has to repair or remove it."""


class ApiError(Exception):
    """An HTTP-layer failure with its status, a stable code and a message for the caller."""

    def __init__(self, status_code: int, code: str, message: str, details: Any = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
