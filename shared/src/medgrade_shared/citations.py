"""Citation builders and the validator.

Forms:
- ``rubric://<rubric_id>#<anchor>``
- ``student://oral#<start>-<end>``: MM:SS (or HH:MM:SS past an hour), ASCII hyphen, end > start
- ``student://oral#utt=<index>``: the utterance with that 0-based index, for transcripts without times
- ``student://summary#tokens=<n>``
"""

from __future__ import annotations

import math
import re

from medgrade_shared.models.rubric import ANCHOR_PATTERN, RUBRIC_ID_PATTERN, unanchored

# Matched with fullmatch only: a ``$`` would also match before a final newline.
_RUBRIC = re.compile(rf"rubric://(?P<rubric_id>{unanchored(RUBRIC_ID_PATTERN)})#(?P<anchor>{unanchored(ANCHOR_PATTERN)})")
_TIME = r"(?:\d{2}:)?[0-5]\d:[0-5]\d"
_ORAL_SPAN = re.compile(rf"student://oral#(?P<start>{_TIME})-(?P<end>{_TIME})")
_ORAL_UTTERANCE = re.compile(r"student://oral#utt=(?P<index>\d+)")
_SUMMARY = re.compile(r"student://summary#tokens=(?P<tokens>\d+)")


def format_timestamp(seconds: float) -> str:
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def parse_timestamp(stamp: str) -> int:
    parts = [int(p) for p in stamp.split(":")]
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + part
    return seconds


def rubric_citation(rubric_id: str, anchor: str) -> str:
    citation = f"rubric://{rubric_id}#{anchor}"
    validate_citation(citation)
    return citation


def oral_span_citation(start: float, end: float) -> str:
    """Whole seconds that contain [start, end); never zero-length."""
    first = math.floor(start)
    last = max(math.ceil(end), first + 1)
    return f"student://oral#{format_timestamp(first)}-{format_timestamp(last)}"


def utterance_citation(index: int, start: float | None, end: float | None) -> str:
    """Cite an utterance by its time span, or by its index when the transcript has no times."""
    if start is not None and end is not None:
        return oral_span_citation(start, end)
    return f"student://oral#utt={index}"


def summary_citation(tokens: int) -> str:
    return f"student://summary#tokens={tokens}"


def is_rubric_citation(citation: str) -> bool:
    return _RUBRIC.fullmatch(citation) is not None


def is_student_citation(citation: str) -> bool:
    return citation.startswith("student://")


def rubric_anchor(citation: str) -> tuple[str, str] | None:
    """(rubric_id, anchor) of a rubric citation, else None."""
    m = _RUBRIC.fullmatch(citation)
    return (m.group("rubric_id"), m.group("anchor")) if m else None


def validate_citation(citation: str) -> None:
    """Raise ValueError unless the citation has one of the documented forms."""
    if _RUBRIC.fullmatch(citation) or _ORAL_UTTERANCE.fullmatch(citation) or _SUMMARY.fullmatch(citation):
        return
    m = _ORAL_SPAN.fullmatch(citation)
    if m is None:
        raise ValueError(f"malformed citation {citation!r}")
    if parse_timestamp(m.group("end")) <= parse_timestamp(m.group("start")):
        raise ValueError(f"citation span must not be empty or reversed: {citation!r}")
