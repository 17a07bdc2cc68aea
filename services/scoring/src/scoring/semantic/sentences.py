"""Interviewer utterances split into sentences: the unit the key-question matcher and the
reasoning links look at. Patient and other speakers are never split (they never ask).

Sentences are :func:`medgrade_shared.text.split_sentences`'s, the parser's rule. Each sentence keeps its
utterance (for the citation) and its position within the turn (for adjacency). What is embedded is
the sentence without hesitation fillers ("um", "uh", "erm", "mm"): they carry no meaning and
cost model time.

Speech transcribed without punctuation ("okay so i see here that you hurt your right ankle can
you tell me what happened") has no sentence ends to split at and no question mark to tell a
question. Questions are recognised by their clause structure instead
(:data:`medgrade_shared.questions.QUESTION_CLAUSE`), and a long unpunctuated sentence is split
before each such clause, so that each question is matched on its own, and before each clause of
the speaker's own ("i think", "let's": :func:`medgrade_shared.questions.statement_starts`), so
that a question's scope ends where an explanation, a finding or a plan begins ("have you had any
fever | i think you have a knee sprain"): that part is a statement, not the question.

A list question names several things in one breath ("any nausea, vomiting, tingling or
weakness?"); embedded whole it is close to none of them. :func:`list_items` splits such a
sentence at commas, semicolons, "or" and "and" into its items, so each can be matched on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medgrade_shared.models.transcript import ParsedTranscript, Utterance
from medgrade_shared.questions import QUESTION_CLAUSE, statement_starts
from medgrade_shared.text import normalise, split_sentences

_LONG_UNPUNCTUATED_WORDS = 16
_MIN_CLAUSE_WORDS = 4
_HAS_WORD = re.compile(r"[A-Za-z0-9]")
_FILLER = re.compile(r"\b(?:um+|uh+|erm|er|mm+|hmm+)\b[,.]?\s*", re.IGNORECASE)
_ITEM_SEPARATOR = re.compile(r"\s*(?:[,;]|\bor\b|\band\b)\s*", re.IGNORECASE)
_MAX_ITEMS = 8
_MIN_ITEM_CHARS = 3
_ACKNOWLEDGEMENT = re.compile(r"(?:ok|okay|alright|all right|right|so|well|yeah|yes|now|then|great|and|but)\W*",
                             re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    utterance: Utterance
    position: int  # 0-based within the utterance
    text: str
    normalised: str

    @property
    def content(self) -> str:
        """The text to embed: the sentence without hesitation fillers."""
        return _FILLER.sub("", self.text).strip() or self.text


def list_items(content: str) -> tuple[str, ...]:
    """The items of a sentence that lists two or more things (at most :data:`_MAX_ITEMS`, the
    first ones), each without its end punctuation; () for a sentence that lists nothing."""
    parts = [part.strip(" .?!") for part in _ITEM_SEPARATOR.split(content)]
    items = [part for part in parts if len(part) >= _MIN_ITEM_CHARS and _HAS_WORD.search(part)
             and not _ACKNOWLEDGEMENT.fullmatch(part)]
    return tuple(dict.fromkeys(items[:_MAX_ITEMS])) if len(items) > 1 else ()


def _question_clauses(sentence: str) -> list[str]:
    """A long sentence without inner punctuation, split before each question or statement clause
    after the first word; other sentences as they are."""
    if len(sentence.split()) < _LONG_UNPUNCTUATED_WORDS or re.search(r"[,;?!]", sentence.rstrip(".?! ")):
        return [sentence]
    parts: list[str] = []
    pending = ""  # a fragment too short to stand alone ("okay and then", "can you") joins the next part
    statements = set(statement_starts(sentence))
    clauses = {m.start() for m in QUESTION_CLAUSE.finditer(sentence)} | statements
    starts = [0, *sorted(start for start in clauses if start > 0)]
    for begin, end in zip(starts, [*starts[1:], len(sentence)], strict=True):
        part = f"{pending} {sentence[begin:end].strip()}".strip()
        # ... but not the speaker's own clause: "is that | i think you have a sprain" asks nothing
        if len(part.split()) < _MIN_CLAUSE_WORDS and end < len(sentence) and end not in statements:
            pending = part
        else:
            parts.append(part)
            pending = ""
    return parts


def matching_units(text: str) -> list[str]:
    """The sentences of an utterance that carry words, a long unpunctuated one split at its
    question clauses."""
    return [clause for sentence in split_sentences(text) if _HAS_WORD.search(sentence)
            for clause in _question_clauses(sentence)]


def interviewer_sentences(parsed: ParsedTranscript) -> list[Sentence]:
    """Every sentence the interviewer says to the patient (not a dictated note), in transcript order."""
    ordered = sorted(parsed.utterances, key=lambda u: u.index)
    return [Sentence(u, position, text, normalise(text))
            for u in ordered if u.addresses_patient
            for position, text in enumerate(matching_units(u.match_text))]
