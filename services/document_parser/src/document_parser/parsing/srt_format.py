"""SRT transcripts, read with ``srt``: numbered cues with start and end times."""

from __future__ import annotations

import srt

from document_parser.parsing.cues import Cue, read_cues
from document_parser.parsing.raw import Reading
from medgrade_shared.errors import Invalid


def parse_srt(text: str) -> Reading:
    try:
        subtitles = list(srt.parse(text.lstrip("\ufeff")))
    except (srt.SRTParseError, ValueError) as exc:
        raise Invalid("invalid_srt", f"The SRT transcript is malformed: {exc}") from None
    except OverflowError:  # hours too large for a timedelta
        raise Invalid("invalid_srt", "The SRT transcript has a time stamp too large to be a time.") from None
    return read_cues(Cue(s.start.total_seconds(), s.end.total_seconds(), s.content) for s in subtitles)
