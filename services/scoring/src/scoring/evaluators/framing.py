"""A sentence's question frame: what it asks with the complaint's own words taken out.

A sentence embedding is dominated by its nouns: "what have you been doing for your foot or ankle
pain since that happened?" sits nearer to every question about the ankle than to "have you tried
anything for it?". Clinicians refer to the presenting complaint by its name in nearly every
question, so its name says little about *which* question is asked. :func:`framed` rewrites each
mention of the complaint (a run of the rubric title's content words with its determiners and
sides: "your foot or ankle pain", "that left ankle") as "it", the way the thesaurus and a
teacher's phrases word their questions ("what have you been doing for it since that happened?").
The matcher embeds both forms and keeps the better evidence of each.
"""

from __future__ import annotations

import re

from medgrade_shared.text import normalise
from scoring.evaluators.stems import stem

# words that may open a mention of the complaint ("your", "that left"), and that may join two of its words
_DETERMINERS = frozenset({"the", "your", "that", "this", "those", "these", "my", "his", "her", "their", "left",
                          "right", "both", "lower", "upper"})
_JOINING = frozenset({"or", "and"})
# title words that do not name it ("Acute chest pain", "... in a woman of reproductive age")
_GENERIC = frozenset({"acute", "chronic", "new", "recurrent", "sudden", "severe", "of", "in", "with", "woman", "man",
                      "adult", "child", "age"})
_NOT_NAMING = _DETERMINERS | _JOINING | _GENERIC
_TITLE_HEAD = re.compile(r"^[^(,;:]*")
_END = ".?!,;:"
_ENDINGS = tuple(_END)  # for str.endswith


def complaint_stems(title: str) -> frozenset[str]:
    """The stems of the words that name the complaint in a rubric title ("Ankle or foot pain":
    ankl, foot, pain), from the title before any parenthesis or list."""
    words = normalise(_TITLE_HEAD.match(title).group()).split()  # type: ignore[union-attr]
    return frozenset(stem(word) for word in words
                     if word not in _NOT_NAMING and len(word) > 2)


def _mention_end(words: list[str], bare: list[str], named: list[bool], begin: int) -> int | None:
    """The last word of a mention starting at ``begin`` (determiners, then named words joined by
    "or"/"and", ending on a named word, within one clause), or None when none starts there."""
    position = begin
    while position < len(words) and bare[position] in _DETERMINERS and not words[position].endswith(_ENDINGS):
        position += 1
    end = None
    while position < len(words) and (named[position] or (end is not None and bare[position] in _JOINING)):
        if named[position]:
            end = position
        if words[position].endswith(_ENDINGS):
            break
        position += 1
    return end


def framed(content: str, complaint: frozenset[str]) -> str | None:
    """``content`` with each mention of the complaint as "it"; None when it mentions none."""
    words = content.split()
    bare = [word.strip(_END).lower() for word in words]
    named = [bool(word) and stem(word) in complaint for word in bare]
    if not any(named):
        return None
    out: list[str] = []
    position = 0
    while position < len(words):
        end = _mention_end(words, bare, named, position)
        if end is None:
            out.append(words[position])
            position += 1
        else:  # "it", keeping the mention's closing punctuation
            out.append("it" + words[end][len(words[end].rstrip(_END)):])
            position = end + 1
    return " ".join(out)
