"""The lines of a plain-text transcript, each split into stamp, speaker label and text by
one regex pass over the whole document (linear: no nested unbounded quantifiers)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from document_parser.parsing.speakers import LABEL_PATTERN, matched_label
from document_parser.parsing.timestamps import STAMP_PATTERN, stamp_seconds

_LINE = re.compile(rf"^[ \t]*(?:{STAMP_PATTERN})?(?:{LABEL_PATTERN})?(?P<body>[^\n]*)", re.MULTILINE)


class Line(NamedTuple):
    stamp: float | None
    label: str | None  # a speaker label, when the line starts with one
    body: str  # the text after the stamp and the label
    rest: str  # the text after the stamp, label included


def iter_lines(text: str) -> Iterator[Line]:
    """Non-blank lines, stripped; a line with only a stamp is kept (a turn may continue below it)."""
    for match in _LINE.finditer(text):
        stamp = stamp_seconds(match)
        marked = match.group("tag") is not None or match.group("label") is not None
        label = matched_label(match) if marked else None
        label_start = match.start("tag") - 1 if match.group("tag") is not None else match.start("label")
        rest = text[label_start if marked else match.start("body"):match.end()].strip()
        if not rest and stamp is None:
            continue
        if label is not None:
            yield Line(stamp, label, match.group("body").strip(), rest)
        else:
            yield Line(stamp, None, rest, rest)
