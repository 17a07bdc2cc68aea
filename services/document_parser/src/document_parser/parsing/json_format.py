"""JSON transcripts: a list of ``{"speaker": ..., "text": ..., "start": ...}`` objects; ``start``
(seconds, or a ``MM:SS``/``HH:MM:SS`` clock) is optional. The list may also stand under
``segments`` of an object, as speech-to-text tools with speaker diarisation (WhisperX) write it:
``{"segments": [{"start": 0.0, "end": 2.1, "text": "...", "speaker": "SPEAKER_00"}]}``."""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from document_parser.parsing.raw import RawUtterance, Reading
from document_parser.parsing.timestamps import parse_clock
from medgrade_shared.errors import Invalid


class _JsonUtterance(BaseModel):
    model_config = ConfigDict(extra="ignore")

    speaker: str = Field(min_length=1, max_length=200)
    text: str
    start: float | None = Field(default=None, ge=0)

    @field_validator("start", mode="before")
    @classmethod
    def _clock(cls, value: object) -> object:
        if isinstance(value, str):
            seconds = parse_clock(value)
            return value if seconds is None else seconds
        return value


_ADAPTER = TypeAdapter(list[_JsonUtterance])
SEGMENTS = "segments"


def parse_json(text: str) -> Reading:
    """Items with blank text are left out: they carry nothing to grade. When every item has a
    start, items are ordered stably by it (two recording channels interleave); otherwise the
    list order stands."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise Invalid("invalid_json", "The transcript is not valid JSON.") from None
    if isinstance(data, dict) and SEGMENTS in data:
        data = data[SEGMENTS]
    try:
        items = _ADAPTER.validate_python(data)
    except ValidationError as exc:
        details = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()[:20]]
        raise Invalid("invalid_json_transcript",
                      "A JSON transcript is a list of objects with speaker, text and optional start (in "
                      f"seconds), or an object holding such a list under {SEGMENTS!r}.",
                      details) from None
    utterances = [RawUtterance(item.speaker.strip(), item.text.strip(), item.start)
                  for item in items if item.text.strip()]
    if all(u.start is not None for u in utterances):
        utterances.sort(key=lambda u: u.start)
    return Reading(utterances)
