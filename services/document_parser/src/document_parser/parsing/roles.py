"""Roles of the speakers: from their labels (:func:`speakers.role_for`), and when no label
names an interviewer ("Speaker 1", "Speaker 2", "SPEAKER_00"), from who asks the questions."""

from __future__ import annotations

import re
from collections import Counter

from document_parser.parsing.raw import RawUtterance
from document_parser.parsing.speakers import PREAMBLE_SPEAKER, role_for
from medgrade_shared.models.transcript import Role

_INTERROGATIVE = re.compile(
    r"\W{0,5}(?:what|when|where|why|who|which|how|do|does|did|is|are|was|were|have|has|can|could|would|any|tell)\b",
    re.IGNORECASE)


def _is_question(text: str) -> bool:
    return text.rstrip().endswith("?") or _INTERROGATIVE.match(text) is not None


def assign_roles(raw: list[RawUtterance]) -> tuple[dict[str, Role], set[str]]:
    """Speaker -> role, and the speakers whose role was inferred rather than read from a label.

    Without a recognised interviewer, the unrecognised speaker who asks the most questions
    is the interviewer (a lone one is, questions or not) and the other unrecognised
    speakers are the patient's side. With an interviewer but nobody recognised on the
    patient's side ("Dr Shah:" and "Mrs Jones:"), the unrecognised speakers are that side.
    """
    roles = {speaker: role_for(speaker) for speaker in dict.fromkeys(r.speaker for r in raw)}
    unknown = [speaker for speaker, role in roles.items() if role == "other" and speaker != PREAMBLE_SPEAKER]
    if not unknown:
        return roles, set()
    if "interviewer" in roles.values():
        if "patient" in roles.values():
            return roles, set()
        roles.update(dict.fromkeys(unknown, "patient"))
        return roles, set(unknown)
    questions = Counter(r.speaker for r in raw if _is_question(r.text))
    asker = max(unknown, key=lambda speaker: questions[speaker])  # ties: the first to speak
    if questions[asker] == 0 and len(unknown) > 1:
        return roles, set()
    roles.update({speaker: "interviewer" if speaker == asker else "patient" for speaker in unknown})
    return roles, set(unknown)
