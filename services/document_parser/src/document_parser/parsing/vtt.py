"""WebVTT transcripts: cues with their start and end times.

``webvtt-py`` is the reader of record. Building its ``Caption`` objects (timestamps, cue
settings, validation) costs about 13 µs a cue, more than half the time a 5 MB transcript may
take, so the common shape of a file is read by a scanner here that gives exactly the cues
the library gives (``tests/test_vtt_scanner.py`` compares the two on every sample and edge
case): a ``WEBVTT`` header, blocks separated by empty lines, each a cue (an optional
identifier, a timings line, the payload) or a block without ``-->`` (NOTE, STYLE, REGION:
no cue either way). Anything else — a ``-->`` anywhere but in a timings line, a timings line
or a time stamp the scanner does not read exactly as the library does, a header with cue
timings in it — sends the whole file to ``webvtt-py``, which also words the errors.
"""

from __future__ import annotations

import re

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from document_parser.parsing.cues import Cue, read_cues
from document_parser.parsing.raw import Reading
from document_parser.parsing.timestamps import clock_seconds
from medgrade_shared.errors import Invalid

_ARROW = "-->"
_BLOCK_BREAK = re.compile(r"\n{2,}")
# The library's timings (``WebVTTCueBlock.CUE_TIMINGS_PATTERN``), narrowed to stamps it
# accepts as they are: hours of at most 10 digits, minutes and seconds below 60, and the end
# stamp not running on into digits (there the library cuts it short).
_STAMP = r"(?:\d{1,10}:)?[0-5]?\d:[0-5]?\d\.\d{1,3}"
_TIMINGS = re.compile(rf"\s*({_STAMP})\s*-->\s*({_STAMP})(?!\d)")


def parse_vtt(text: str) -> Reading:
    text = text.lstrip("\ufeff")
    cues = _scan(text)
    if cues is None:
        cues = _library_cues(text)
    return read_cues(cues)


def _library_cues(text: str) -> list[Cue]:
    try:
        captions = webvtt.from_string(text)
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise Invalid("invalid_vtt", f"The WebVTT transcript is malformed: {exc}") from None
    return [Cue(clock_seconds(c.start), clock_seconds(c.end), c.raw_text) for c in captions]


def _scan(text: str) -> list[Cue] | None:
    """The cues, or None when the file is not of the shape read here (the library decides)."""
    if not text.startswith("WEBVTT"):
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = _BLOCK_BREAK.split(text.rstrip("\n"))  # a final line break ends the last line
    if _ARROW in blocks[0]:  # cue timings inside the header block: the library's special case
        return None
    cues: list[Cue] = []
    timings = _TIMINGS.match
    for block in blocks[1:]:
        if _ARROW not in block:
            continue  # NOTE, STYLE, REGION or stray text: never a cue
        if block.count(_ARROW) != 1:
            return None
        first_end = block.find("\n")
        first = block if first_end < 0 else block[:first_end]
        if _ARROW in first:
            line, payload_at = first, first_end
        else:  # an identifier line, then the timings
            second_end = block.find("\n", first_end + 1)
            line = block[first_end + 1:] if second_end < 0 else block[first_end + 1:second_end]
            if _ARROW not in line:
                return None  # the arrow is further down: a block the library splits
            payload_at = second_end
        match = timings(line)
        if match is None:
            return None
        cues.append(Cue(clock_seconds(match[1]), clock_seconds(match[2]),
                        "" if payload_at < 0 else block[payload_at + 1:]))
    return cues
