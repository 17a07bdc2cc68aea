"""Time stamps at the start of a line: ``[MM:SS]``, ``(MM:SS)``, ``MM:SS``, ``HH:MM:SS``,
optionally with fractional seconds (``00:12.5``), and an optional dash after them."""

from __future__ import annotations

import re

# hours of any reasonable width, so that a stamp past the longest recording ("[100:00:00]") is read
# as one and refused (:func:`document_parser.parsing.timing.check_times`), not taken for words
_CLOCK = r"(?:\d{1,6}:)?\d{1,3}:[0-5]\d(?:[.,]\d{1,3})?"
STAMP_PATTERN = (rf"(?:\[(?P<bracketed>{_CLOCK})\]|\((?P<parenthesised>{_CLOCK})\)|(?P<bare>{_CLOCK})(?=\s|$))"
                 r"[ \t]*(?:[-\u2013\u2014][ \t]+)?")
_FULL_CLOCK = re.compile(_CLOCK)


def clock_seconds(clock: str) -> float:
    """Seconds in ``[HH:]MM:SS[.fff]``; the caller has matched the clock pattern."""
    seconds = 0.0
    for part in clock.replace(",", ".").split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def stamp_seconds(match: re.Match[str]) -> float | None:
    """Seconds of the stamp a pattern built on :data:`STAMP_PATTERN` matched, if it matched one."""
    clock = match.group("bracketed") or match.group("parenthesised") or match.group("bare")
    return clock_seconds(clock) if clock else None


def parse_clock(value: str) -> float | None:
    """Seconds in a whole clock string, or None when it is not one."""
    value = value.strip()
    return clock_seconds(value) if _FULL_CLOCK.fullmatch(value) else None
