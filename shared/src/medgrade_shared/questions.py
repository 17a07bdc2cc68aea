"""Whether a sentence asks something: one rule for the parser (sections, the closing, roles,
warnings) and the scorers (key questions, cues).

Speech transcribed without punctuation ("okay so i see here that you hurt your right ankle can
you tell me what happened") has no question mark to tell a question. Questions are recognised
by their clause structure instead (:data:`QUESTION_CLAUSE`: an auxiliary before its subject,
"can you", "have you", "is it"; a wh-word before an auxiliary, "what have", "how long", "when
did"; "tell me"; "any ..." at a clause start).

In the same speech a question's scope ends where the speaker goes on to say something of their
own: :data:`STATEMENT_CLAUSE` marks where an explanation, a finding or a plan starts ("... any
fever i think you have a knee sprain", "... how are you doing so let's do a quick exam").
"""

from __future__ import annotations

import re

_AUXILIARY = r"(?:can|could|would|will|do|does|did|have|has|had|are|is|was|were)"
_SUBJECT = r"(?:you|it|this|that|there|anyone|anybody|anything|he|she|they|we)"
QUESTION_CLAUSE = re.compile(
    rf"\b(?:{_AUXILIARY}(?:n't| not)? {_SUBJECT}\b|(?:what|when|where|which|why|who|how)(?:'s| {_AUXILIARY}\b| long\b"
    r"| much\b| many\b| often\b| bad\b| far\b| about\b)|tell me\b"
    r"|(?:^|\b(?:and|so|or|now|okay|ok|alright|also)\s+)any (?!more\b|other\b|time\b)[a-z]{3,})",
    re.IGNORECASE)
# the speaker's own clause: "i think", "we'll", "let's", "i'm gon na"; not after an auxiliary
# ("can i", "do we": questions)
STATEMENT_CLAUSE = re.compile(
    rf"(?P<auxiliary>\b{_AUXILIARY}(?:n't)? )?\b(?:i|we)(?:'m|'ll|'d|'ve| am| will| would| think| want| see| need"
    r"| like| just| don't| can| could| have| do| recommend| suspect| believe| know| feel| noticed| looked)\b"
    r"|\blet(?:'s| me| us)\b",
    re.IGNORECASE)


def is_question(text: str) -> bool:
    """Ends with a question mark, or holds a question clause ("have you been able to walk")."""
    return text.rstrip().endswith("?") or QUESTION_CLAUSE.search(text) is not None


def statement_starts(text: str) -> list[int]:
    """Where the speaker's own clauses begin (:data:`STATEMENT_CLAUSE`), an auxiliary's subject excepted."""
    return [m.start() for m in STATEMENT_CLAUSE.finditer(text) if m.group("auxiliary") is None]


def asks(text: str) -> bool:
    """Whether any part of ``text`` asks something: a question mark anywhere, or a question clause."""
    return "?" in text or QUESTION_CLAUSE.search(text) is not None
