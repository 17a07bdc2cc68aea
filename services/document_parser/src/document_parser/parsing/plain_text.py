"""Plain-text transcripts: one line per turn, an optional time stamp, an optional speaker label.

Dialogue (the first line has a speaker label, or a line among the first ``PREAMBLE_LINES``
does and at least two speakers are labelled): a labelled line starts an utterance; a stamped
line without a label starts one by the same speaker; any other line continues the current
utterance. Lines before the first label (a document's title, a date) are the preamble, said
by :data:`PREAMBLE_SPEAKER`, whose role is ``other``. Monologue (no label on the first line,
e.g. an oral case presentation): everything is said by the student, and labels are text. A
timed monologue is split at stamps and headings; an untimed one has no turns at all, so it is
split at headings, blank lines and sentences to give segmentation units to work with.
"""

from __future__ import annotations

from document_parser.parsing.headings import find_heading
from document_parser.parsing.lines import Line, iter_lines
from document_parser.parsing.raw import RawUtterance, Reading
from document_parser.parsing.speakers import MONOLOGUE_SPEAKER, PREAMBLE_SPEAKER
from medgrade_shared.text import split_sentences

PREAMBLE_LINES = 3
# A turn: (index of its first line, speaker, start); it runs to the next turn's first line.
_Turn = tuple[int, str, float | None]


def parse_plain_text(text: str) -> Reading:
    """Utterances of a plain-text transcript; ``roles_inferred`` when it is read as a monologue."""
    lines = list(iter_lines(text))
    if not lines:
        return Reading([])
    if lines[0].label is not None or _dialogue_after_preamble(lines):
        return Reading(_join(_dialogue(lines), [line.body for line in lines]))
    if any(line.stamp is not None for line in lines):
        return Reading(_join(_timed_monologue(lines), [line.rest for line in lines]), roles_inferred=True)
    return Reading(_untimed_monologue(text), roles_inferred=True)


def _dialogue_after_preamble(lines: list[Line]) -> bool:
    if all(line.label is None for line in lines[:PREAMBLE_LINES]):
        return False
    speakers: set[str] = set()
    for line in lines:
        if line.label is not None:
            speakers.add(line.label)
            if len(speakers) > 1:
                return True
    return False


def _dialogue(lines: list[Line]) -> list[_Turn]:
    """Lines before the first label are the preamble's turn; after it, a line without a label
    always has a turn to continue."""
    turns: list[_Turn] = [] if lines[0].label is not None else [(0, PREAMBLE_SPEAKER, lines[0].stamp)]
    for i, line in enumerate(lines):
        if line.label is not None:
            turns.append((i, line.label, line.stamp))
        elif line.stamp is not None:
            turns.append((i, turns[-1][1], line.stamp))
    return turns


def _timed_monologue(lines: list[Line]) -> list[_Turn]:
    return [(i, MONOLOGUE_SPEAKER, line.stamp) for i, line in enumerate(lines)
            if i == 0 or line.stamp is not None or find_heading(line.rest) is not None]


def _join(turns: list[_Turn], texts: list[str]) -> list[RawUtterance]:
    """Each turn's lines as one text; a label or stamp followed by nothing carries no utterance."""
    raw = []
    for (first, speaker, start), (upto, _, _) in zip(turns, [*turns[1:], (len(texts), "", None)], strict=True):
        body = "\n".join(texts[first:upto]).strip()
        if body:
            raw.append(RawUtterance(speaker, body, start))
    return raw


def _untimed_monologue(text: str) -> list[RawUtterance]:
    """Blocks end at blank lines and start at headings; a heading alone on its line is a block."""
    blocks: list[list[str]] = [[]]
    for raw_line in text.splitlines():
        line = raw_line.strip()
        heading = find_heading(line) if line else None
        if not line or heading is not None:
            blocks.append([])
        if line:
            blocks[-1].append(line)
        if heading is not None and heading.alone:
            blocks.append([])
    return [RawUtterance(MONOLOGUE_SPEAKER, sentence.strip())
            for block in blocks if block for sentence in split_sentences("\n".join(block))]
