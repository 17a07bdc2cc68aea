"""Sentence splitting for untimed monologues, whose only units are sentences."""

from __future__ import annotations

import re

_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_ABBREVIATIONS = frozenset({"dr.", "mr.", "mrs.", "ms.", "st.", "vs.", "e.g.", "i.e.", "etc.", "no.", "approx."})
_WINDOW = 16  # longer than any abbreviation, so the look-back stays constant-time


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` (whitespace inside each kept); abbreviations like "Dr." do not end one."""
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        window = text[max(start, match.start() - _WINDOW):match.start()]
        if window.rsplit(None, 1)[-1].lower() in _ABBREVIATIONS:
            continue
        sentences.append(text[start:match.start()])
        start = match.end()
    sentences.append(text[start:])
    return [s for s in sentences if s.strip()]
