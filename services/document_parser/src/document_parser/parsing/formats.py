"""Which reader a transcript needs, from its first characters when the caller says ``auto``."""

from __future__ import annotations

import re
from collections.abc import Callable

from document_parser.parsing.json_format import parse_json
from document_parser.parsing.plain_text import parse_plain_text
from document_parser.parsing.raw import Reading
from document_parser.parsing.srt_format import parse_srt
from document_parser.parsing.vtt import parse_vtt

_JSON = re.compile(r"\[\s*[{\]]|\{\s*\"")  # a list of objects, or an object (WhisperX's {"segments": ...})
_SRT_CUE = re.compile(r"\d+[ \t]*\r?\n[ \t]*\d{1,2}:\d{2}:\d{2},\d{3}[ \t]+-->")
_SNIFF_CHARS = 200


def detect_format(text: str) -> str:
    head = text[:_SNIFF_CHARS].lstrip("\ufeff \t\r\n")
    if head.startswith("WEBVTT"):
        return "vtt"
    if _JSON.match(head):
        return "json"
    if _SRT_CUE.match(head):
        return "srt"
    return "text"


READERS: dict[str, Callable[[str], Reading]] = {
    "text": parse_plain_text,
    "vtt": parse_vtt,
    "json": parse_json,
    "srt": parse_srt,
}
