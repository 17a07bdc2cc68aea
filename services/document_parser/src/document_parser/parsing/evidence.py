"""How strongly one utterance points at each section: an explicit heading at its start plus
the weights of the topic phrases it contains (each distinct phrase counted once)."""

from __future__ import annotations

import string

from medgrade_shared.text import normalise

from document_parser.parsing.headings import find_heading
from document_parser.parsing.lexicon import PHRASES

Phrase = tuple[str, str, float]  # padded normalised phrase, section, weight


def _index_by_first_word(phrases: dict[str, dict[str, float]]) -> dict[str, list[Phrase]]:
    index: dict[str, list[Phrase]] = {}
    for section, table in phrases.items():
        for phrase, weight in table.items():
            padded = normalise(phrase)
            index.setdefault(padded.split()[0], []).append((padded, section, weight))
    return index


_INDEX = _index_by_first_word(PHRASES)
_FIRST_WORDS = frozenset(_INDEX)
_ASCII_WORD_CHARS = frozenset(string.ascii_lowercase + string.digits + "'")
_ASCII_NON_WORD = str.maketrans({chr(c): " " for c in range(128) if chr(c) not in _ASCII_WORD_CHARS})


def normalised(text: str) -> str:
    """Exactly :func:`medgrade_shared.text.normalise`; ASCII text (nearly every transcript)
    takes a translate-table path about four times faster than the shared regex one."""
    if not text.isascii():
        return normalise(text)
    words = text.lower().translate(_ASCII_NON_WORD).split()
    return f" {' '.join(words)} " if words else " "


def section_evidence(text: str) -> dict[str, float]:
    """Section name -> evidence weight; empty when the utterance says nothing about a topic.

    Phrases are looked up only under first words the utterance contains, then matched as
    padded substrings of the normalised text (a word-boundary match), which keeps this linear.
    """
    scores: dict[str, float] = {}
    heading = find_heading(text)
    if heading is not None:
        scores[heading.section] = heading.weight
    words = normalised(text)
    for word in _FIRST_WORDS.intersection(words.split()):
        for padded, section, weight in _INDEX[word]:
            if padded in words:
                scores[section] = scores.get(section, 0.0) + weight
    return scores
