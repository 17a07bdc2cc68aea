"""Transcriber tags, as PriMock57 writes them: ``<UNSURE>words</UNSURE>`` keeps its words,
``<UNIN/>``, ``<INAUDIBLE_SPEECH/>`` and any other ``<TAG/>`` go."""

from __future__ import annotations

import re

_PAIRED_TAG = re.compile(r"</?[A-Za-z_][\w.\-]*[ \t]*>")
_EMPTY_TAG_BEFORE_PUNCTUATION = re.compile(r"[ \t]*<[A-Za-z_][\w.\-]*[ \t]*/>[ \t]*(?=[.,;:?!])")
_EMPTY_TAG = re.compile(r"<[A-Za-z_][\w.\-]*[ \t]*/>")


def match_text(text: str) -> str:
    """``text`` without transcriber tags, whitespace collapsed: what the scorers match against.

    The words inside a tag pair stay exactly where they are; an empty tag (``<UNIN/>``) is a
    word break, or nothing where punctuation follows it ("your <UNIN/>, your" -> "your, your"),
    the same stripping as the dataset's own conversion to WebVTT.
    """
    if "<" not in text:
        return " ".join(text.split())
    text = _EMPTY_TAG.sub(" ", _EMPTY_TAG_BEFORE_PUNCTUATION.sub("", _PAIRED_TAG.sub("", text)))
    return " ".join(text.split())
