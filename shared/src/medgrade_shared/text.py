"""Text normalisation shared by the parser and the scorers, so both count and match alike."""

from __future__ import annotations

import re
import string
import unicodedata
from functools import lru_cache

_TOKEN = re.compile(r"\S+")
_NON_WORD = re.compile(r"[^a-z0-9']+")
_ASCII_WORD_CHARS = frozenset(string.ascii_lowercase + string.digits + "'")
_ASCII_NON_WORD = str.maketrans({chr(c): " " for c in range(128) if chr(c) not in _ASCII_WORD_CHARS})


def count_tokens(text: str) -> int:
    """Whitespace-separated tokens: what the summary length limits are written in."""
    return len(_TOKEN.findall(text))


def normalise(text: str) -> str:
    """Lower case, accents folded, punctuation to spaces, single spaces, padded with one
    space each side so that ``" phrase " in normalise(text)`` is a word-boundary match.

    ASCII text (nearly every transcript) takes a translate-table path, about four times
    faster than the general one and giving the same result."""
    return _normalise_ascii(text) if text.isascii() else _normalise_folded(text)


def _normalise_ascii(text: str) -> str:
    return _padded(text.lower().translate(_ASCII_NON_WORD).split())


def _normalise_folded(text: str) -> str:
    """The general path, right for any text."""
    folded = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    folded = folded.encode("ascii", "ignore").decode("ascii").lower()
    return _padded(_NON_WORD.sub(" ", folded).split())


def _padded(words: list[str]) -> str:
    return f" {' '.join(words)} " if words else " "


@lru_cache(maxsize=8192)
def _normalised_phrase(phrase: str) -> str:
    return normalise(phrase)


def contains_phrase(normalised_text: str, phrase: str) -> bool:
    """Word-boundary phrase match; ``normalised_text`` comes from :func:`normalise`.
    Rubric phrases repeat across calls, so their normal form is cached."""
    needle = _normalised_phrase(phrase)
    return needle != " " and needle in normalised_text


_SENTENCE_END = re.compile(r"(?<=[.?!])(?:\s+|(?=[A-Z]))")
_ABBREVIATIONS = frozenset({"dr.", "mr.", "mrs.", "ms.", "st.", "vs.", "e.g.", "i.e.", "etc.", "approx."})
"""Not "no.": in speech it is the answer far more often than "number"."""
_ABBREVIATION_WINDOW = 16
"""Longer than any abbreviation, so the look-back stays constant-time."""
_HAS_WORD = re.compile(r"[A-Za-z0-9]")


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, the one rule of the parser (a monologue's utterances) and of the
    scorers (the units of matching), whitespace inside each kept.

    A sentence ends at ``.``, ``?`` or ``!`` followed by whitespace, or directly by a capital letter
    (transcripts often lose the space: "all right.Um, now, have you ..."), but not after an
    abbreviation ("Dr. Patel"). A piece with no letter or digit ("...", "[[[[") is not a sentence:
    it stays at the end of the one before it, so nothing of the text is lost. Linear in the text.
    """
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        window = text[max(start, match.start() - _ABBREVIATION_WINDOW):match.start()].rsplit(None, 1)
        if window and window[-1].lower() in _ABBREVIATIONS:
            continue
        _append_sentence(sentences, text[start:match.start()])
        start = match.end()
    _append_sentence(sentences, text[start:])
    return sentences


def _append_sentence(sentences: list[str], piece: str) -> None:
    piece = piece.strip()
    if not piece:
        return
    if _HAS_WORD.search(piece) or not sentences:
        sentences.append(piece)
    else:
        sentences[-1] = f"{sentences[-1]} {piece}"
