"""Cue-based formats (WebVTT, SRT): each cue's payload to utterances.

A payload names its speaker with voice spans (``<v Doctor>``; a cue with several voices
gives one utterance per voice) or a ``Speaker:`` label, possibly after a subtitle dialogue
dash; a cue naming no one is said by the previous cue's speaker. Caption markup (``<i>``,
``<c.x>``, ``<00:01.000>``, ``<font ...>``) goes; transcriber tags (``<UNSURE>``) are not
caption markup and stay in the text, for :mod:`tags` to take out of the match text.
Two-channel recordings overlap, so cues are ordered stably by start.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import NamedTuple

from document_parser.parsing.raw import RawUtterance, Reading
from document_parser.parsing.speakers import MONOLOGUE_SPEAKER, split_label

_VOICE = re.compile(r"<v(?:\.[\w.\-]*)?[ \t]+(?P<name>[^>]{1,100})>")
_MARKUP = re.compile(r"</?(?:[cibuv]|ruby|rt|lang|font)\b[^>]{0,200}>|<\d{1,2}:\d{2}(?::\d{2})?[.,]\d{1,3}>",
                     re.IGNORECASE)
_DIALOGUE_DASH = re.compile(r"^[ \t]*[-\u2013\u2014][ \t]+")


class Cue(NamedTuple):
    start: float
    end: float
    payload: str


def _voiced_parts(payload: str) -> list[tuple[str | None, str]]:
    """(voice or None, text) pieces of a payload, split at voice spans."""
    voices = list(_VOICE.finditer(payload)) if "<v" in payload else []
    if not voices:
        return [(None, payload)]
    if len(voices) == 1:  # the usual cue: one voice, at its start
        return [(None, payload[:voices[0].start()]), (voices[0].group("name").strip(), payload[voices[0].end():])]
    parts = [(None, payload[:voices[0].start()])]
    for voice, upto in zip(voices, [*(v.start() for v in voices[1:]), len(payload)], strict=True):
        parts.append((voice.group("name").strip(), payload[voice.end():upto]))
    return parts


def read_cues(cues: Iterable[Cue]) -> Reading:
    utterances: list[RawUtterance] = []
    speaker: str | None = None
    inferred = False
    for cue in sorted(cues, key=lambda c: c.start):
        for voice, part in _voiced_parts(cue.payload):
            text = _DIALOGUE_DASH.sub("", (_MARKUP.sub("", part) if "<" in part else part).strip())
            if voice is None:
                label, body = split_label(text)
                if label is not None:
                    voice, text = label, body
            speaker = voice or speaker
            text = (html.unescape(text) if "&" in text else text).strip()
            if text:
                inferred = inferred or speaker is None
                utterances.append(RawUtterance(speaker or MONOLOGUE_SPEAKER, text, cue.start, cue.end))
    return Reading(utterances, roles_inferred=inferred)
