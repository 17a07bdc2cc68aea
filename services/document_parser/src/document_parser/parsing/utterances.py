"""From reader output to the contract's utterances: roles, match text, start and end times."""

from __future__ import annotations

from typing import NamedTuple

from pydantic import TypeAdapter

from document_parser.parsing.dictation import dictated_indices
from document_parser.parsing.raw import RawUtterance
from document_parser.parsing.roles import assign_roles
from document_parser.parsing.tags import match_text
from document_parser.parsing.timing import Span, fill_starts, spans
from medgrade_shared.models.transcript import Utterance

_UTTERANCES = TypeAdapter(list[Utterance])  # one validation call for the list: faster than one per utterance


class Built(NamedTuple):
    utterances: list[Utterance]
    unstamped: int  # utterances without a time stamp in an otherwise timed transcript
    inferred: set[str]  # speakers whose role was inferred, not read from their label


def build_utterances(raw: list[RawUtterance]) -> Built:
    matched = [match_text(r.text) for r in raw]
    timed = any(r.start is not None for r in raw)
    unstamped = sum(r.start is None for r in raw) if timed else 0
    times: list[Span | None] = [None] * len(raw)
    if timed:
        starts = fill_starts([r.start for r in raw])
        times = list(spans(starts, [len(m.split()) for m in matched]))
        times = [_cue_end(span, r.end) for span, r in zip(times, raw, strict=True)]
    roles, inferred = assign_roles(raw)
    dictated = dictated_indices([roles[r.speaker] for r in raw], matched)
    utterances = _UTTERANCES.validate_python([
        {"index": i, "speaker": r.speaker, "role": roles[r.speaker], "text": r.text, "match_text": m,
         "start": t.start if t else None, "end": t.end if t else None, "end_estimated": bool(t and t.estimated),
         "dictated": i in dictated}
        for i, (r, m, t) in enumerate(zip(raw, matched, times, strict=True))
    ])
    return Built(utterances, unstamped, inferred)


def _cue_end(span: Span, given_end: float | None) -> Span:
    """A format that records ends (WebVTT) knows better than the next start does."""
    if given_end is not None and given_end > span.start:
        return Span(span.start, given_end, False)
    return span
