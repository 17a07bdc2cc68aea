"""Whether a sentence asks something: one rule for the parser (sections, the closing, roles,
warnings) and the scorers (key questions, cues).

Speech transcribed without punctuation ("okay so i see here that you hurt your right ankle can
you tell me what happened") has no question mark to tell a question. Questions are recognised
by their clause structure instead (:data:`QUESTION_CLAUSE`: an auxiliary before its subject,
"can you", "have you", "is it"; a wh-word before an auxiliary, "what have", "how long", "when
did"; "tell me"; "any ..." at a clause start).
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


def is_question(text: str) -> bool:
    """Ends with a question mark, or holds a question clause ("have you been able to walk")."""
    return text.rstrip().endswith("?") or QUESTION_CLAUSE.search(text) is not None


def asks(text: str) -> bool:
    """Whether any part of ``text`` asks something: a question mark anywhere, or a question clause."""
    return "?" in text or QUESTION_CLAUSE.search(text) is not None
