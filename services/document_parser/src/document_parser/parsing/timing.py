"""Start and end times of utterances.

An utterance ends where the next utterance that starts strictly later begins (transcripts
stamp whole seconds, so neighbours often share a start). With no later start, the end is
estimated from a typical speech rate. No time is past :data:`MAX_TRANSCRIPT_SECONDS`: a stamp
beyond it is refused, an estimated end is cut there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from document_parser.parsing.raw import RawUtterance
from medgrade_shared.errors import Invalid
from medgrade_shared.models.transcript import MAX_TRANSCRIPT_SECONDS

WORDS_PER_SECOND = 2.5
MIN_DURATION_S = 1.0
_QUOTED_CHARS = 40


class Span(NamedTuple):
    start: float
    end: float
    estimated: bool


def check_times(raw: Sequence[RawUtterance]) -> None:
    """Refuse the first time stamp that is not a time between 0 and the maximum (NaN and
    infinity included: every comparison with NaN is false)."""
    for number, utterance in enumerate(raw, 1):
        for seconds in (utterance.start, utterance.end):
            if seconds is not None and not 0 <= seconds <= MAX_TRANSCRIPT_SECONDS:
                hours = MAX_TRANSCRIPT_SECONDS // 3600
                words = utterance.text[:_QUOTED_CHARS] + ("..." if len(utterance.text) > _QUOTED_CHARS else "")
                raise Invalid(
                    "time_stamp_out_of_range",
                    f"Utterance {number} ({utterance.speaker}: \"{words}\") has a time stamp past {hours:02d}:00:00. "
                    f"MedGrade grades recordings of up to {hours} hours; please check the transcript's time stamps.",
                    {"utterance": number, "max_seconds": MAX_TRANSCRIPT_SECONDS},
                )


def estimated_end(start: float, words: int) -> float:
    return round(min(start + max(MIN_DURATION_S, words / WORDS_PER_SECOND), MAX_TRANSCRIPT_SECONDS), 3)


def fill_starts(starts: list[float | None]) -> list[float]:
    """An utterance without a stamp in a timed transcript starts with the one before it (0 at the top)."""
    filled, last = [], 0.0
    for start in starts:
        last = last if start is None else start
        filled.append(last)
    return filled


def spans(starts: list[float], word_counts: list[int]) -> list[Span]:
    """Ends from the next strictly later start, found with a monotonic stack in linear time."""
    ends: list[float | None] = [None] * len(starts)
    pending: list[int] = []  # indices still waiting for a later start; starts never increase up the stack
    for index, start in enumerate(starts):
        while pending and starts[pending[-1]] < start:
            ends[pending.pop()] = start
        pending.append(index)
    return [Span(start, end, False) if end is not None else Span(start, estimated_end(start, words), True)
            for start, end, words in zip(starts, ends, word_counts, strict=True)]
