"""Clinical sections as contiguous runs of utterances.

Only the interviewer's utterances to the patient carry evidence (questions, or the student's
own presentation; a dictated note does not: see :mod:`dictation`); a patient's answer
belongs to the section of the question before it. The evidence-bearing utterances are
labelled by a best-path decoding in which every change of section costs ``SWITCH_COST``: a
topic opens a section only when its evidence outweighs the cost of switching to it and back,
so one stray "any fever?" inside the history of the complaint stays there. An utterance that
*opens* a section (a clear topic question, a heading: see :mod:`evidence`) switches to it at
no cost, so a short "Any allergies?" still starts its own section.

Summary is entered at an utterance with summary cue words, or where the consultation's
closing starts (:mod:`closing`: the interviewer stops asking and starts telling), whichever
comes first, and is absorbing: once entered it lasts to the end, whatever the summary
mentions. Since a summary restates the other topics, their evidence counts
``SUMMARY_RESTATES`` of its weight towards the summary, on the entering line as on the
following ones. Utterances before the first evidence are the opening complaint (CC).

A transcript need not start there: an excerpt may begin in the middle of the history, so the
first section may be any other at ``START_COST``, less than a change of section: a question
hinting at another topic starts an excerpt there, a passing mention in the student's
introduction does not. The first question of an interview opens it (a greeting, "how can I
help?"); a later question naming no topic is about the complaint
(:func:`evidence.unnamed_topic`, whose weight was chosen by cross-validation on the MTS-Dialog
training file: ``benchmarks/eval_segmentation.py --choose``).
"""

from __future__ import annotations

import math

from document_parser.parsing.closing import closing_start
from document_parser.parsing.evidence import Evidence, section_evidence, unnamed_topic
from document_parser.parsing.lexicon import OPENING
from medgrade_shared.models.transcript import Section, Utterance
from medgrade_shared.models.vocabulary import SECTION_NAMES, SUMMARY_SECTION
from medgrade_shared.questions import asks

SWITCH_COST = 1.5
START_COST = 0.5  # more than a statement's hint (STATEMENT_WEIGHT), less than a question's (1)
SUMMARY_RESTATES = 0.5
STATEMENT_WEIGHT = 1 / 3  # of an interviewer's statement in a dialogue, against a question
_SUMMARY_AT = SECTION_NAMES.index(SUMMARY_SECTION)
_SECTIONS = range(len(SECTION_NAMES))
_OPEN_SECTIONS = [i for i in _SECTIONS if i != _SUMMARY_AT]


def segment(utterances: list[Utterance]) -> list[Section]:
    """Sections covering every utterance exactly once, in transcript order."""
    if not utterances:
        return []
    interviewed = any(u.role == "interviewer" for u in utterances)
    statement_weight = STATEMENT_WEIGHT if any(u.role == "patient" for u in utterances) else 1.0
    evidence: list[tuple[int, Evidence]] = []
    asked = False
    for i, u in enumerate(utterances):
        if not (u.addresses_patient if interviewed else u.role == "other"):
            continue
        found = section_evidence(u.match_text, statement_weight)
        if not found.scores and asked:
            found = unnamed_topic(u.match_text)
        asked = asked or asks(u.match_text)
        if found.scores:
            evidence.append((i, found))
    labels = [SECTION_NAMES.index(OPENING)] * len(utterances)
    if evidence:
        positions = [i for i, _ in evidence]
        states = _decode([found for _, found in evidence], START_COST)
        for first, upto, state in zip(positions, [*positions[1:], len(utterances)], states, strict=True):
            labels[first:upto] = [state] * (upto - first)
    closing = closing_start(utterances)
    if closing is not None and _SUMMARY_AT not in labels[:closing]:
        labels[closing:] = [_SUMMARY_AT] * (len(labels) - closing)
    return _runs(labels)


def _decode(evidence: list[Evidence], start_cost: float) -> list[int]:
    """Best section index per evidence-bearing utterance (a Viterbi path over the sections)."""
    opening = SECTION_NAMES.index(OPENING)
    scores = [0.0 if s == opening else -start_cost for s in _SECTIONS]  # before any evidence: CC
    scores[_SUMMARY_AT] = -math.inf
    back: list[tuple[int, int]] = []  # per step: best open section before it, bit s set when state s stayed
    for found in evidence:
        own = [found.scores.get(name, 0.0) for name in SECTION_NAMES]
        own[_SUMMARY_AT] += SUMMARY_RESTATES * (sum(own) - own[_SUMMARY_AT])
        best_open = max(_OPEN_SECTIONS, key=scores.__getitem__)
        switched, opened = scores[best_open] - SWITCH_COST, scores[best_open]
        entering = [opened if name in found.opens else switched for name in SECTION_NAMES]
        if SUMMARY_SECTION not in found.opens:
            entering[_SUMMARY_AT] = -math.inf
        stayed = 0
        for s in _SECTIONS:
            stay, enter = scores[s] + own[s], entering[s] + own[s]
            if stay > enter:  # ties: switch later
                stayed |= 1 << s
                scores[s] = stay
            else:
                scores[s] = enter
        back.append((best_open, stayed))
    state = max(_SECTIONS, key=scores.__getitem__)
    path = [state]
    for best_open, stayed in reversed(back[1:]):
        state = state if stayed >> state & 1 else best_open
        path.append(state)
    path.reverse()
    return path


def _runs(labels: list[int]) -> list[Section]:
    sections: list[Section] = []
    start = 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[start]:
            sections.append(Section(name=SECTION_NAMES[labels[start]], start_index=start, end_index=i - 1))
            start = i
    return sections


def detected_order(sections: list[Section]) -> list[str]:
    return list(dict.fromkeys(s.name for s in sections))
