"""Notes the interviewer dictates about the patient, not to them.

Clinicians who record their consultations often open by dictating who the patient is ("next
patient is Christine Hernandez, date of birth January 13th 1982, a 59-year-old man here
for ...") and close with the assessment for the record or a command to a voice assistant
("hey Dragon, finalise the note"). None of it is said to the patient, so none of it can ask a
key question, open a section or be the closing summary back to the patient.

Only the interviewer's utterances before the patient's side first speaks and after it last
speaks are candidates, and only in a dialogue (a monologue such as an oral presentation is
about the patient throughout, and is graded as what it is). A candidate is dictated when it
is a statement in the vocabulary of the record (date of birth, "the patient", "a 59-year-old")
before it addresses anyone as "you": an opening one in the part
before its first "you" (a dictated preamble often runs straight into "hello, how are you?"),
a closing one as a whole, with no "you" in it. The opening run stops at the first utterance
that is not dictated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from medgrade_shared.models.transcript import Role

_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself|ya|y'all)\b", re.IGNORECASE)
_OF_THE_RECORD = re.compile(
    r"\b(?:patient|date\s+of\s+birth|dob|medical\s+record|mrn\w*|\d+\s*-?\s*(?:year|month|week)s?\s*-?\s*old"
    r"|dictat\w*|template|paragraph|finali[sz]e)\b", re.IGNORECASE)


def _about_the_patient(text: str) -> bool:
    """A statement in the vocabulary of the record. A question is never a note, and "he" or
    "she" alone is no sign: a parent is asked about their child in the third person."""
    return "?" not in text and _OF_THE_RECORD.search(text) is not None


def _before_address(text: str) -> str:
    """The text before its first "you": what a dictated preamble says before the greeting."""
    address = _SECOND_PERSON.search(text)
    return text if address is None else text[:address.start()]


def dictated_indices(roles: Sequence[Role], texts: Sequence[str]) -> set[int]:
    """Indices of the utterances that are dictated notes (see the module docstring)."""
    patient_side = [i for i, role in enumerate(roles) if role == "patient"]
    if not patient_side:
        return set()
    dictated: set[int] = set()
    for i in range(patient_side[0]):
        if roles[i] != "interviewer":
            continue
        if not _about_the_patient(_before_address(texts[i])):
            break
        dictated.add(i)
    dictated.update(i for i in range(patient_side[-1] + 1, len(roles))
                    if roles[i] == "interviewer" and _SECOND_PERSON.search(texts[i]) is None
                    and _about_the_patient(texts[i]))
    return dictated
