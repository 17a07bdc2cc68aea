"""Bytes of an uploaded text transcript to text: a UTF-8 or UTF-16 byte order mark decides;
without one UTF-8, else Windows-1252 (what Word and Notepad save as "ANSI" in the UK and US).
Bytes that are invalid in the chosen encoding become U+FFFD, never an error."""

from __future__ import annotations

import codecs

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def has_bom(data: bytes) -> bool:
    return any(data.startswith(bom) for bom, _ in _BOMS)


def decode_text(data: bytes) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
