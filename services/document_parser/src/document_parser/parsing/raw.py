"""What each format reader produces before roles, tags, times and sections are worked out.

Plain tuples on purpose: a multi-megabyte transcript makes tens of thousands of them, and
tuples of strings and numbers are not tracked by the garbage collector, whose full passes
would otherwise dominate the parse time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class RawUtterance(NamedTuple):
    speaker: str
    text: str
    start: float | None = None
    end: float | None = None


@dataclass(slots=True)
class Reading:
    """A reader's result; ``roles_inferred`` when speakers were assumed, not read."""

    utterances: list[RawUtterance]
    roles_inferred: bool = False
