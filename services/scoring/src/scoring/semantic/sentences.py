"""Interviewer utterances split into sentences: the unit the key-question matcher and the
reasoning links look at. Patient and other speakers are never split (they never ask).

A sentence ends at ``.``, ``?`` or ``!`` followed by a space, or directly by a capital letter
(transcripts often lose the space: "all right.Um, now, have you ..."). Each sentence keeps its
utterance (for the citation) and its position within the turn (for adjacency). What is embedded is
the sentence without hesitation fillers ("um", "uh", "erm", "mm"): they carry no meaning and
cost model time.

A list question names several things in one breath ("any nausea, vomiting, tingling or
weakness?"); embedded whole it is close to none of them. :func:`list_items` splits such a
sentence at commas, semicolons, "or" and "and" into its items, so each can be matched on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medgrade_shared.models.transcript import ParsedTranscript, Utterance
from medgrade_shared.text import normalise

_BOUNDARY = re.compile(r"(?<=[.?!])(?:\s+|(?=[A-Z]))")
_HAS_WORD = re.compile(r"[A-Za-z0-9]")
_FILLER = re.compile(r"\b(?:um+|uh+|erm|er|mm+|hmm+)\b[,.]?\s*", re.IGNORECASE)
_ITEM_SEPARATOR = re.compile(r"\s*(?:[,;]|\bor\b|\band\b)\s*", re.IGNORECASE)
_MAX_ITEMS = 8
_MIN_ITEM_CHARS = 3
_ACKNOWLEDGEMENT = re.compile(r"(?:ok|okay|alright|all right|right|so|well|yeah|yes|now|then|great|and|but)\W*",
                             re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    utterance: Utterance
    position: int  # 0-based within the utterance
    text: str
    normalised: str

    @property
    def content(self) -> str:
        """The text to embed: the sentence without hesitation fillers."""
        return _FILLER.sub("", self.text).strip() or self.text


def list_items(content: str) -> tuple[str, ...]:
    """The items of a sentence that lists two or more things (at most :data:`_MAX_ITEMS`, the
    first ones), each without its end punctuation; () for a sentence that lists nothing."""
    parts = [part.strip(" .?!") for part in _ITEM_SEPARATOR.split(content)]
    items = [part for part in parts if len(part) >= _MIN_ITEM_CHARS and _HAS_WORD.search(part)
             and not _ACKNOWLEDGEMENT.fullmatch(part)]
    return tuple(dict.fromkeys(items[:_MAX_ITEMS])) if len(items) > 1 else ()


def split_sentences(text: str) -> list[str]:
    return [part.strip() for part in _BOUNDARY.split(text) if _HAS_WORD.search(part)]


def interviewer_sentences(parsed: ParsedTranscript) -> list[Sentence]:
    """Every interviewer sentence, in transcript order."""
    ordered = sorted(parsed.utterances, key=lambda u: u.index)
    return [Sentence(u, position, text, normalise(text))
            for u in ordered if u.role == "interviewer"
            for position, text in enumerate(split_sentences(u.match_text))]
