"""Transcriber tags: ``<UNSURE>words</UNSURE>`` keeps its words, ``<UNIN/>``,
``<INAUDIBLE_SPEECH/>`` and any other ``<TAG>``/``</TAG>``/``<TAG/>`` go."""

from __future__ import annotations

import re

_TAG = re.compile(r"</?[A-Za-z_][\w.\-]*[ \t]*/?>")
_SPACE_BEFORE_PUNCTUATION = re.compile(r" (?=[.,;:?!])")


def match_text(text: str) -> str:
    """``text`` without transcriber tags, whitespace collapsed (and none left before
    punctuation where a tag stood): what the scorers match against."""
    if "<" not in text:
        return " ".join(text.split())
    return _SPACE_BEFORE_PUNCTUATION.sub("", " ".join(_TAG.sub(" ", text).split()))
