"""How strongly one utterance points at each section: an explicit heading at its start plus
the weights of the topic phrases it contains (each distinct phrase counted once per sentence).

Questions carry the topic of an interview; the interviewer's statements (explanations,
reasoning, reassurance) mention topics without moving to them, so in a dialogue they count
``statement_weight`` of their phrase weight. A question whose clearest topic is named by a
strong phrase *opens* that section (it may start it however short it is), and only summary
cue words (or a summary heading) may start the summary. A question that names no topic at all
("what did you do then?") is talk about the complaint itself (:func:`unnamed_topic`) once the
opening question has been asked.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from document_parser.parsing.headings import find_heading
from document_parser.parsing.lexicon import COMPLAINT, PHRASES, STRONG, SUMMARY_CUES
from medgrade_shared.models.vocabulary import SUMMARY_SECTION
from medgrade_shared.questions import asks, is_question
from medgrade_shared.text import normalise, split_sentences

Phrase = tuple[str, str, float]  # padded normalised phrase, section, weight

_PUNCTUATION = re.compile(r"[.?!]")


def _index_by_first_word(phrases: dict[str, dict[str, float]]) -> dict[str, list[Phrase]]:
    index: dict[str, list[Phrase]] = {}
    for section, table in phrases.items():
        for phrase, weight in table.items():
            padded = normalise(phrase)
            index.setdefault(padded.split()[0], []).append((padded, section, weight))
    return index


_INDEX = _index_by_first_word(PHRASES)
_FIRST_WORDS = frozenset(_INDEX)
_CUES = tuple(normalise(cue) for cue in SUMMARY_CUES)
UNNAMED_TOPIC = 1.0
MIN_WORDS = 4  # a bare "No." or "Okay?" is no talk about anything


class Evidence(NamedTuple):
    scores: dict[str, float]  # section -> weight; empty when the utterance names no topic
    opens: frozenset[str]  # sections this utterance may start: clear topic questions, headings, summary cues


def _phrase_scores(text: str) -> tuple[dict[str, float], dict[str, float]]:
    """(section -> summed weight, section -> weight of its strongest phrase) of the topic
    phrases in ``text``. Phrases are looked up only under first words the text contains, then
    matched as padded substrings of the normalised text (a word-boundary match): linear."""
    scores: dict[str, float] = {}
    strongest: dict[str, float] = {}
    words = normalise(text)
    for word in _FIRST_WORDS.intersection(words.split()):
        for padded, section, weight in _INDEX[word]:
            if padded in words:
                scores[section] = scores.get(section, 0.0) + weight
                strongest[section] = max(strongest.get(section, 0.0), weight)
    return scores, strongest


def section_evidence(text: str, statement_weight: float = 1.0) -> Evidence:
    """The evidence of one utterance: its heading, and its phrases sentence by sentence (an
    utterance without a question mark is one block of statements), those outside questions
    scaled by ``statement_weight`` except summary words, which are statements by nature."""
    scores: dict[str, float] = {}
    opens: set[str] = set()
    heading = find_heading(text)
    if heading is not None:
        scores[heading.section] = heading.weight
        opens.add(heading.section)
    sentences = split_sentences(text) if "?" in text else [text]  # no question mark: one block
    unpunctuated = _PUNCTUATION.search(text) is None
    for sentence in sentences:
        found, strongest = _phrase_scores(sentence)
        if not found:
            continue
        if "FH" in found and "PMH" in found:  # "any family history of heart disease": the family's conditions
            found["FH"] += found.pop("PMH")
        question = sentence.rstrip().endswith("?") or (unpunctuated and is_question(sentence))
        weight = 1.0 if question else statement_weight
        for section, score in found.items():
            scores[section] = scores.get(section, 0.0) + score * (1.0 if section == SUMMARY_SECTION else weight)
        top = max(found, key=found.__getitem__)
        if question and strongest[top] >= STRONG and all(s < found[top] for k, s in found.items() if k != top):
            opens.add(top)
    if SUMMARY_SECTION in scores and any(cue in normalise(text) for cue in _CUES):
        opens.add(SUMMARY_SECTION)
    return Evidence(scores, frozenset(opens))


def unnamed_topic(text: str) -> Evidence:
    """The evidence of an utterance that names no topic: a question of at least ``MIN_WORDS``
    words is about the complaint (``UNNAMED_TOPIC`` towards it); anything else is about nothing."""
    if len(text.split()) >= MIN_WORDS and asks(text):
        return Evidence({COMPLAINT: UNNAMED_TOPIC}, frozenset())
    return Evidence({}, frozenset())
