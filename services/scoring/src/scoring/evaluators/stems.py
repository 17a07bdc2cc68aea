"""Word stems for the lexical match: "wheezing" matches a phrase "wheeze", "medicines" a phrase
"medication"'s neighbour "medicine", "vomited" "vomiting".

Stems come from the Snowball English stemmer (the ``snowballstemmer`` package, pinned), applied
word by word to :func:`medgrade_shared.text.normalise` output after compound masking, so that a
compound ("blood pressure") stays one word. A phrase matches a sentence when its stems occur
in the sentence's stems as a contiguous, word-bounded run. A number written as a word is its
digits ("out of ten" matches "6 out of 10"): transcribers and teachers write them either way.
"""

from __future__ import annotations

from functools import lru_cache

import snowballstemmer

_STEMMER = snowballstemmer.stemmer("english")
_NUMBER_WORDS = {word: str(value) for value, word in enumerate((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"))}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    word = word.strip("'")
    return _NUMBER_WORDS.get(word) or _STEMMER.stemWord(word)


def stems(normalised: str) -> str:
    """The stems of a normalised text, space-padded like the text itself (" " when empty)."""
    words = [stem(word) for word in normalised.split()]
    return f" {' '.join(w for w in words if w)} " if words else " "


def contains_stems(sentence_stems: str, phrase_stems: str) -> bool:
    """Word-bounded containment of one padded stem string in another."""
    return phrase_stems != " " and phrase_stems in sentence_stems
