"""Explicit section starts at the beginning of a line or utterance: a heading followed by a
colon, dash or full stop, or standing alone ("Past medical history:", "HPI -"), and spoken
openings of a summary ("So, to recap ...")."""

from __future__ import annotations

import re
from typing import NamedTuple

from document_parser.parsing.lexicon import HEADINGS, TRANSITIONS

HEADING_WEIGHT = 6.0
TRANSITION_WEIGHT = 4.0

_LOOKAHEAD_CHARS = 120
_FILLER_WORDS = ("so", "ok", "okay", "right", "just", "and", "um", "uh", "well", "now", "finally")


def _alternation(table: dict[str, tuple[str, ...]]) -> str:
    phrases = sorted({p for values in table.values() for p in values}, key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\ ", r"[ \t]+") for p in phrases)


_FILLERS = rf"(?:(?:{'|'.join(_FILLER_WORDS)})\b[ \t,.]*){{0,3}}"
_HEADING = re.compile(rf"{_FILLERS}(?P<h>{_alternation(HEADINGS)})[ \t]*(?:[:\-\u2013\u2014.?\n]|$)", re.IGNORECASE)
_TRANSITION = re.compile(rf"{_FILLERS}(?P<h>{_alternation(TRANSITIONS)})\b", re.IGNORECASE)
_OPENING_WORDS = frozenset(p.split()[0] for table in (HEADINGS, TRANSITIONS) for values in table.values()
                           for p in values)
_LEADING_WORDS = re.compile(r"[A-Za-z]+")
_SECTION_OF = {p: s for table in (HEADINGS, TRANSITIONS) for s, values in table.items() for p in values}


def _may_open_section(head: str) -> bool:
    """Cheap test that the first word after up to three fillers can begin a heading; most
    utterances fail it and skip the two large regexes."""
    for count, word in enumerate(_LEADING_WORDS.finditer(head)):
        lowered = word.group().lower()
        if lowered in _OPENING_WORDS:
            return True
        if count == 3 or lowered not in _FILLER_WORDS:
            return False
    return False


class Heading(NamedTuple):
    section: str
    weight: float
    alone: bool  # nothing but the heading (and its colon) on the line


def find_heading(text: str) -> Heading | None:
    """The section an explicit heading at the start of ``text`` opens, if any."""
    head = text[:_LOOKAHEAD_CHARS].lstrip()
    if not _may_open_section(head):
        return None
    for pattern, weight in ((_HEADING, HEADING_WEIGHT), (_TRANSITION, TRANSITION_WEIGHT)):
        match = pattern.match(head)
        if match:
            phrase = " ".join(match.group("h").lower().split())
            return Heading(_SECTION_OF[phrase], weight, not head[match.end():].strip())
    return None
