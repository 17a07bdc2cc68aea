"""A minimal WebVTT reader: cues with a timing line and ``<v Speaker>`` voice spans or
``Speaker:`` labels. Cue settings, identifiers and NOTE/STYLE/REGION blocks are skipped."""

from __future__ import annotations

import html
import re

from document_parser.parsing.raw import RawUtterance, Reading
from document_parser.parsing.speakers import MONOLOGUE_SPEAKER, split_label
from document_parser.parsing.timestamps import clock_seconds

_VTT_CLOCK = r"(?:\d{1,2}:)?\d{1,3}:[0-5]\d[.,]\d{1,3}"
_TIMING = re.compile(rf"(?P<start>{_VTT_CLOCK})[ \t]+-->[ \t]+(?P<end>{_VTT_CLOCK})")
_BLOCK_GAP = re.compile(r"\n[ \t]*\n")
_VOICE = re.compile(r"<v(?:\.[\w.\-]*)?[ \t]+(?P<name>[^>]{1,100})>")
_VOICE_END = re.compile(r"</v>")


def parse_vtt(text: str) -> Reading:
    """Cues in order; a cue without a voice or label is said by the previous cue's speaker."""
    utterances: list[RawUtterance] = []
    speaker: str | None = None
    inferred = False
    for block in _BLOCK_GAP.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = block.strip().split("\n")
        found = next(((i, m) for i, line in enumerate(lines[:2]) if (m := _TIMING.match(line.strip()))), None)
        if found is None:
            continue
        timing_at, timing = found
        payload = "\n".join(lines[timing_at + 1:]).strip()
        voice = _VOICE.search(payload)
        if voice:
            speaker = voice.group("name").strip()
            payload = _VOICE_END.sub("", _VOICE.sub("", payload)).strip()
        else:
            label, body = split_label(payload)
            if label is not None:
                speaker, payload = label, body.strip()
        if payload:
            inferred = inferred or speaker is None
            utterances.append(RawUtterance(speaker or MONOLOGUE_SPEAKER, html.unescape(payload),
                                           clock_seconds(timing.group("start")), clock_seconds(timing.group("end"))))
    return Reading(utterances, roles_inferred=inferred)
