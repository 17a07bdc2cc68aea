"""Speaker labels (``Doctor:``, ``[doctor]``) and the role each label stands for.

A label is a short capitalised name before a colon (in Markdown's bold, ``**Doctor:**``, too): at
most 3 words and 30 characters, every word capitalised or a number (``Speaker 3``, ``Dr. Shah``),
unless it names a known role. A bracketed tag at the start of a line (``[doctor]``,
``[patient_guest]``, ``[doctor_2]``, as ACI-Bench writes speakers) is always a label: brackets are
an explicit speaker mark, and a time stamp in brackets (``[00:12]``) is read as a stamp before
labels are looked for. Words that usually start an ordinary field or heading (``Note:``,
``Time:``, ``Allergies:``) are never labels, so such a line stays text instead of becoming a
speaker.
"""

from __future__ import annotations

import re
from functools import lru_cache

from medgrade_shared.models.transcript import Role

MONOLOGUE_SPEAKER = "Student"
# Says the lines before a document's first speaker label (a title, a date); role ``other``.
PREAMBLE_SPEAKER = "Document"

_INTERVIEWER = frozenset({
    "student", "doctor", "dr", "doc", "clinician", "examiner", "interviewer", "gp", "nurse", "physician", "candidate",
    "consultant", "registrar", "resident", "practitioner", "provider", "medic", "paramedic", "midwife", "pharmacist",
    "therapist", "md", "np", "docotr", "clinican",  # the last two: misspellings found in real transcripts
})
_PATIENT = frozenset({
    "patient", "pt", "parent", "carer", "caregiver", "guardian", "mum", "mom", "mother", "father", "dad", "family",
    "relative", "wife", "husband", "partner", "son", "daughter", "client", "interviewee", "child",
    "sp", "actor",  # an OSCE's standardised patient, played by an actor
})
# Question-and-answer transcripts label the two parties by one capital letter.
_LETTER_ROLES: dict[str, Role] = {"Q": "interviewer", "A": "patient"}
_WORD = re.compile(r"[^\W\d_]+")
_NOT_SPEAKERS = frozenset({
    "note", "notes", "nb", "time", "date", "day", "plan", "diagnosis", "impression", "assessment", "summary",
    "age", "name", "sex", "gender", "dob", "location", "site", "duration", "onset", "severity", "pain",
    "history", "examination", "exam", "vitals", "bp", "hr", "rr", "temp", "temperature", "spo2", "sats",
    "findings", "result", "results", "investigations", "management", "differential", "differentials", "ddx",
    "recap", "conclusion", "chief complaint", "presenting complaint", "cc", "pc", "hpi", "hpc",
    "history of present illness", "history of presenting illness", "history of presenting complaint",
    "review of systems", "systems review", "ros", "past medical history", "medical history", "pmh", "pmhx",
    "medications", "medication", "meds", "drug history", "dh", "allergies", "allergy", "social history", "sh",
    "shx", "family history", "fh", "fhx", "warning", "important", "example", "eg", "ie", "yes", "no", "ok",
    "okay", "so", "well", "also", "and", "but", "re", "subject", "title", "case", "update", "reason",
})
# A colon label may be in Markdown's bold or italics, as notes and exported documents write it
# (``**Doctor:**``, ``**Doctor**:``, ``*Patient:*``).
LABEL_PATTERN = (r"(?:\[(?P<tag>[^\W\d_][\w.'\- ]{0,29})\][ \t]*:?[ \t]*"
                 r"|\*{0,2}(?P<label>[^\W\d_][\w.'\-]*(?: [\w.'\-]+){0,2})\*{0,2}[ \t]*:(?!\d)\*{0,2}[ \t]*)")
_LABEL = re.compile(LABEL_PATTERN)
_MAX_LABEL_CHARS = 30


def _words(label: str) -> list[str]:
    return [w.strip(".'-").lower() for w in label.split()]


def _role_words(label: str) -> list[str]:
    """Letters-only words: ``Guest_family_1`` -> guest, family."""
    return _WORD.findall(label.lower())


@lru_cache(maxsize=4096)
def role_for(speaker: str) -> Role:
    """``interviewer`` or ``patient`` when any word of the label names that role (capital ``Q``
    and ``A`` alone do too), else ``other``."""
    if speaker.rstrip(".") in _LETTER_ROLES:
        return _LETTER_ROLES[speaker.rstrip(".")]
    words = _role_words(speaker)
    if any(w in _INTERVIEWER for w in words):
        return "interviewer"
    if any(w in _PATIENT for w in words):
        return "patient"
    return "other"


@lru_cache(maxsize=4096)
def is_label(label: str) -> bool:
    """Whether a candidate matched by :data:`LABEL_PATTERN` is a speaker label."""
    if len(label) > _MAX_LABEL_CHARS or " ".join(_words(label)) in _NOT_SPEAKERS:
        return False
    return role_for(label) != "other" or all(w[0].isupper() or w[0].isdigit() for w in label.split())


def matched_label(match: re.Match[str]) -> str | None:
    """The speaker label a match of :data:`LABEL_PATTERN` found: a bracketed tag always, a
    colon label when :func:`is_label` accepts it."""
    if match.group("tag") is not None:
        return match.group("tag").strip()
    label = match.group("label")
    return label if label is not None and is_label(label) else None


def split_label(text: str) -> tuple[str | None, str]:
    """(label, rest) when ``text`` starts with a speaker label; (None, text) otherwise."""
    match = _LABEL.match(text, 0, _MAX_LABEL_CHARS + 8)
    label = matched_label(match) if match is not None else None
    if label is None:
        return None, text
    return label, text[match.end():]
