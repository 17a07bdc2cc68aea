"""Word (.docx) transcripts, read with ``python-docx``: the body's paragraphs and table rows
in document order, as lines of a plain-text transcript.

A table row becomes one line: a cell holding only a clock becomes its ``[MM:SS]`` stamp and a
short cell before the text becomes its ``Speaker:`` label, so a ``Time | Speaker | Text``
table reads like the same transcript typed as lines. A header row (``Speaker | Text``) goes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import docx
from docx.document import Document
from docx.table import Table

from document_parser.parsing.errors import TranscriptError
from document_parser.parsing.timestamps import parse_clock

MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a zip bomb stops here, long before memory runs out
_HEADER_WORDS = frozenset({"time", "timestamp", "start", "speaker", "name", "role", "text", "utterance", "speech",
                           "transcript", "dialogue"})
_MAX_LABEL_CHARS = 30


def docx_text(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise TranscriptError("docx_too_large", "The Word document unpacks to more than 200 MB.")
        return "\n".join(line for line in _lines(docx.Document(io.BytesIO(data))) if line)
    except TranscriptError:
        raise
    except Exception:  # a third-party reader failing on untrusted bytes: the input is at fault
        raise TranscriptError("invalid_docx", "The Word document could not be read.") from None


def _lines(document: Document) -> Iterator[str]:
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                yield _row_line([cell.text.strip() for cell in row.cells])
        else:
            yield block.text.strip()


def _row_line(cells: list[str]) -> str:
    cells = [c for i, c in enumerate(cells) if c and (i == 0 or c != cells[i - 1])]  # merged cells repeat
    if all(c.lower() in _HEADER_WORDS for c in cells):
        return ""
    parts: list[str] = []
    for i, cell in enumerate(cells):
        if parse_clock(cell) is not None:
            parts.append(f"[{cell}]")
        elif i < len(cells) - 1 and len(cell) <= _MAX_LABEL_CHARS and not cell.endswith(":"):
            parts.append(f"{cell}:")
        else:
            parts.append(cell)
    return " ".join(parts)
