"""WebVTT transcripts, read with ``webvtt-py``: cues with their start and end times;
identifiers, settings and NOTE/STYLE/REGION blocks are the library's business."""

from __future__ import annotations

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from document_parser.parsing.cues import Cue, read_cues
from document_parser.parsing.errors import TranscriptError
from document_parser.parsing.raw import Reading
from document_parser.parsing.timestamps import clock_seconds


def parse_vtt(text: str) -> Reading:
    try:
        captions = webvtt.from_string(text.lstrip("\ufeff"))
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise TranscriptError("invalid_vtt", f"The WebVTT transcript is malformed: {exc}") from None
    return read_cues(Cue(clock_seconds(c.start), clock_seconds(c.end), c.raw_text) for c in captions)
