"""Start and end times of utterances.

An utterance ends where the next utterance that starts strictly later begins (transcripts
stamp whole seconds, so neighbours often share a start). With no later start, the end is
estimated from a typical speech rate.
"""

from __future__ import annotations

from typing import NamedTuple

WORDS_PER_SECOND = 2.5
MIN_DURATION_S = 1.0


class Span(NamedTuple):
    start: float
    end: float
    estimated: bool


def estimated_end(start: float, words: int) -> float:
    return round(start + max(MIN_DURATION_S, words / WORDS_PER_SECOND), 3)


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
