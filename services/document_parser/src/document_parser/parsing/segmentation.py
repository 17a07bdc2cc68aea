"""Clinical sections as contiguous runs of utterances.

Only the interviewer's utterances carry evidence (questions, or the student's own
presentation); a patient's answer belongs to the section of the question before it. The
evidence-bearing utterances are labelled by a best-path decoding in which every change of
section costs ``SWITCH_COST``: a topic opens a section only when its evidence outweighs the
cost of switching to it and back, so one stray "any fever?" inside the history of the
complaint stays there. Summary is absorbing: once entered it lasts to the end, whatever the
summary mentions; and since a summary restates the other topics, once in Summary their
evidence counts ``SUMMARY_RESTATES`` of its weight towards staying there (entering it takes
summary evidence of its own). Utterances before the first
evidence are the opening complaint (CC).
"""

from __future__ import annotations

import math

from medgrade_shared.models.transcript import Section, Utterance

from document_parser.parsing.evidence import section_evidence
from document_parser.parsing.lexicon import OPENING, SECTIONS, SUMMARY

SWITCH_COST = 1.5
SUMMARY_RESTATES = 0.5
_SUMMARY_AT = SECTIONS.index(SUMMARY)
_OPEN_SECTIONS = [i for i in range(len(SECTIONS)) if i != _SUMMARY_AT]


def segment(utterances: list[Utterance]) -> list[Section]:
    """Sections covering every utterance exactly once, in transcript order."""
    if not utterances:
        return []
    roles = {"interviewer"} if any(u.role == "interviewer" for u in utterances) else {"interviewer", "other"}
    evidence = [(i, _vector(scores)) for i, u in enumerate(utterances)
                if u.role in roles and (scores := section_evidence(u.match_text))]
    labels = [SECTIONS.index(OPENING)] * len(utterances)
    if evidence:
        positions = [i for i, _ in evidence]
        states = _decode([scores for _, scores in evidence])
        for first, upto, state in zip(positions, [*positions[1:], len(utterances)], states, strict=True):
            labels[first:upto] = [state] * (upto - first)
    return _runs(labels)


def _vector(scores: dict[str, float]) -> tuple[float, ...]:
    return tuple(scores.get(name, 0.0) for name in SECTIONS)


def _decode(evidence: list[tuple[float, ...]]) -> list[int]:
    """Best section per evidence-bearing utterance (a Viterbi path over the sections)."""
    opening = SECTIONS.index(OPENING)
    scores = [0.0 if s == opening else -math.inf for s in range(len(SECTIONS))]  # before any evidence: CC
    back: list[tuple[int, int]] = []  # per step: best open section before it, bit s set when state s stayed
    for own in evidence:
        best_open = max(_OPEN_SECTIONS, key=lambda s: scores[s])
        switched_in = scores[best_open] - SWITCH_COST
        stay = [scores[s] + own[s] for s in range(len(SECTIONS))]
        stay[_SUMMARY_AT] += SUMMARY_RESTATES * (sum(own) - own[_SUMMARY_AT])
        enter = [switched_in + own[s] for s in range(len(SECTIONS))]
        if not own[_SUMMARY_AT]:
            enter[_SUMMARY_AT] = -math.inf
        stayed = sum(1 << s for s in range(len(SECTIONS)) if stay[s] > enter[s])  # ties: switch later
        scores = [max(stay[s], enter[s]) for s in range(len(SECTIONS))]
        back.append((best_open, stayed))
    state = max(range(len(SECTIONS)), key=lambda s: scores[s])
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
            sections.append(Section(name=SECTIONS[labels[start]], start_index=start, end_index=i - 1))
            start = i
    return sections


def detected_order(sections: list[Section]) -> list[str]:
    return list(dict.fromkeys(s.name for s in sections))
