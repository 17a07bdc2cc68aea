"""Where the student said something: the lexical phrase matcher of the communication
behaviours and the student-span citation.

The matcher looks only at interviewer lines (the student); patient and other speakers never count.
Lexical matching is word-boundary exact after normalisation: 'stroke' does not match
'strokes', so rubric authors list the inflections they accept as phrases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from medgrade_shared.citations import utterance_citation
from medgrade_shared.models.transcript import ParsedTranscript, Utterance
from medgrade_shared.text import contains_phrase, normalise

LEXICAL_MATCHER = "lexical"
LEXICAL_MATCHER_VERSION = "1"


@dataclass(frozen=True)
class Line:
    utterance: Utterance
    normalised: str


@dataclass(frozen=True)
class PhraseHit:
    utterance: Utterance
    phrase: str


def interviewer_lines(parsed: ParsedTranscript) -> list[Line]:
    """The student's utterances to the patient in transcript order, each normalised once."""
    ordered = sorted(parsed.utterances, key=lambda u: u.index)
    return [Line(u, normalise(u.match_text)) for u in ordered if u.addresses_patient]


def first_phrase_hit(lines: Sequence[Line], phrases: Sequence[str]) -> PhraseHit | None:
    """The first line that contains any of the phrases (earlier phrases win within a line)."""
    for line in lines:
        for phrase in phrases:
            if contains_phrase(line.normalised, phrase):
                return PhraseHit(line.utterance, phrase)
    return None


def cite(utterance: Utterance) -> str:
    return utterance_citation(utterance.index, utterance.start, utterance.end)
