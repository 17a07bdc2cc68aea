"""Whether an utterance asks something: a question mark, or an interrogative anywhere in it
(much real speech is transcribed without punctuation: "okay so how long has this been going on")."""

from __future__ import annotations

import re

_QUESTION = re.compile(r"\?|\b(?:what|when|where|why|how|which|who|any|(?:do|did|does|have|has|are|is|can|could)"
                       r" (?:you|it|they|he|she|anything|anyone))\b", re.IGNORECASE)


def asks(text: str) -> bool:
    return _QUESTION.search(text) is not None
