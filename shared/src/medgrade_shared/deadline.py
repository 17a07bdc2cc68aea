"""How long the caller still waits, carried from the orchestrator to the services it calls.

The orchestrator sets a deadline for each grading (:func:`deadline_scope`). Every downstream
call made within it sends the time left as ``X-MedGrade-Deadline-Ms``: whole milliseconds
remaining when the request is sent, or the attempt's read timeout when that comes sooner. A
relative value, so no service depends on another's clock (only the network transit, a few ms,
goes uncounted). A service reads the header as the request
arrives (:class:`medgrade_shared.service.RequestBudgetMiddleware`), so time spent
queueing for a worker thread counts, and its long work calls :func:`check` between stages and
batches: once the deadline has passed nobody waits for the answer, so the work stops with 504
``deadline_exceeded``. Without the header there is no deadline and :func:`check` does nothing
(in-process callers, benchmarks).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from medgrade_shared import errors

DEADLINE_HEADER = "X-MedGrade-Deadline-Ms"

_deadline: ContextVar[float | None] = ContextVar("medgrade_deadline", default=None)  # a time.monotonic() value


def exceeded(stage: str) -> errors.DeadlineExceeded:
    """The error for work stopped at ``stage`` because its caller's deadline passed."""
    return errors.DeadlineExceeded("deadline_exceeded", f"The caller's deadline passed during {stage}; the work "
                                   "was stopped and nothing was produced.", {"stage": stage})


@contextmanager
def deadline_scope(seconds: float | None) -> Iterator[None]:
    """Work within this block has ``seconds`` left (``None``: no deadline). An enclosing
    deadline that comes sooner still holds."""
    if seconds is None:
        yield
        return
    deadline = time.monotonic() + seconds
    outer = _deadline.get()
    token = _deadline.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _deadline.reset(token)


def seconds_from_header(value: str | None) -> float | None:
    """The seconds a header value leaves; ``None`` when there is none or it is not a whole
    number of milliseconds (ignored rather than refused: without it the work is only unbounded
    by the caller, as before)."""
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 12:
        return None
    return int(value) / 1000


def remaining() -> float | None:
    """Seconds left before the current deadline (negative once passed), ``None`` without one."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()


def header_value(attempt_s: float | None = None) -> str | None:
    """What to send as :data:`DEADLINE_HEADER` for a call made now; ``None`` without a deadline.
    ``attempt_s``, how long the caller waits for this attempt (its read timeout), caps it: once the
    caller has given up on an attempt, and perhaps sent it again, the service drops it rather than
    do work nobody will read, which under a burst would only delay the attempts that count."""
    left = remaining()
    if left is None:
        return None
    if attempt_s is not None:
        left = min(left, attempt_s)
    return str(max(0, math.floor(left * 1000)))


def check(stage: str) -> None:
    """Raise :class:`~medgrade_shared.errors.DeadlineExceeded` if the current deadline has passed; ``stage`` names
    the work that was stopped."""
    left = remaining()
    if left is not None and left <= 0:
        raise exceeded(stage)
