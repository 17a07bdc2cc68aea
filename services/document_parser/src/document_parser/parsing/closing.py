"""The closing of a consultation: where the interviewer stops asking and starts telling.

A history ends with the interviewer's summary back to the patient, and in real consultations
that is rarely announced ("so to summarise"): it is an explanation ("so what I think is going
on ...", "the way you're describing these episodes ...") that restates what was found and
what it means. What marks it in any wording is its form. Each of the interviewer's
utterances to the patient counts +1 when it is a long statement (``LONG_STATEMENT_WORDS`` or
more words, no question), -1 when it asks something (a question mark, or an interrogative in
a short utterance: a long one may say "what we'll do is ..."), 0 otherwise; the closing
starts where the sum of what follows is largest: a change point. It must start in the later
part of the consultation (``EARLIEST``, a share of the interviewer's utterances: a closing
comes after a history) and win by ``MIN_MARGIN`` (more statements than questions after it), and
only a dialogue of at least ``MIN_UTTERANCES`` interviewer utterances has one: a monologue (an
oral presentation) tells throughout, and a short excerpt has no closing to find.
"""

from __future__ import annotations

from medgrade_shared.models.transcript import Utterance
from medgrade_shared.questions import asks

LONG_STATEMENT_WORDS = 10
EARLIEST = 0.5
MIN_MARGIN = 1.0
MIN_UTTERANCES = 10


def _telling(text: str) -> float:
    words = len(text.split())
    if "?" in text or (words < LONG_STATEMENT_WORDS and asks(text)):
        return -1.0
    return 1.0 if words >= LONG_STATEMENT_WORDS else 0.0


def closing_start(utterances: list[Utterance]) -> int | None:
    """Index of the utterance that starts the closing, or None when there is none."""
    if not any(u.role == "patient" for u in utterances):
        return None
    spoken = [u for u in utterances if u.addresses_patient and u.match_text]
    if len(spoken) < MIN_UTTERANCES:
        return None
    best, start, total = 0.0, None, 0.0
    for position in range(len(spoken) - 1, int(len(spoken) * EARLIEST) - 1, -1):
        total += _telling(spoken[position].match_text)
        if total > best:  # ties: the later start
            best, start = total, spoken[position].index
    return start if best >= MIN_MARGIN else None
