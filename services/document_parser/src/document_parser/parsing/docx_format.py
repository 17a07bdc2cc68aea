"""Word (.docx) transcripts, read with ``python-docx``: the body's paragraphs and table rows
in document order, as lines of a plain-text transcript.

A table row becomes one line: a cell holding only a clock becomes its ``[MM:SS]`` stamp and a
short cell before the text becomes its ``Speaker:`` label, so a ``Time | Speaker | Text``
table reads like the same transcript typed as lines. A header row (``Speaker | Text``) goes.

Before ``python-docx`` builds the document (a tree costing tens of times the XML's size), the
parts' unpacked sizes are summed from the archive's directory (``zipfile`` never inflates a
part past its stated size: the CRC check fails first) and their XML elements are counted by a
streaming parse that keeps no tree: a small file that inflates to hundreds of megabytes, or
holds millions of empty elements, is a 413 within a second.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import docx
from docx.document import Document
from docx.table import Table
from lxml import etree

from document_parser.parsing.limits import NO_LIMITS, ParseLimits, over_limit
from document_parser.parsing.timestamps import parse_clock
from medgrade_shared.deadline import check as check_deadline
from medgrade_shared.errors import DomainError, Invalid

_XML_SUFFIXES = (".xml", ".rels")
_HEADER_WORDS = frozenset({"time", "timestamp", "start", "speaker", "name", "role", "text", "utterance", "speech",
                           "transcript", "dialogue"})
_MAX_LABEL_CHARS = 30


def docx_text(data: bytes, limits: ParseLimits = NO_LIMITS) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_unpacked_size(archive, limits.max_docx_unpacked_bytes)
            if limits.max_docx_xml_nodes is not None:
                _check_xml_nodes(archive, limits.max_docx_xml_nodes)
        check_deadline("parse (Word document)")
        return "\n".join(line for line in _lines(docx.Document(io.BytesIO(data))) if line)
    except DomainError:
        raise
    except Exception:  # a third-party reader failing on untrusted bytes: the input is at fault
        raise Invalid("invalid_docx", "The Word document could not be read.") from None


def _check_unpacked_size(archive: zipfile.ZipFile, limit: int | None) -> None:
    unpacked = sum(info.file_size for info in archive.infolist())
    if limit is not None and unpacked > limit:
        raise over_limit("docx_too_large", f"The Word document unpacks to {unpacked:,} bytes; the parser unpacks at "
                         f"most {limit:,}.", "max_docx_unpacked_bytes", limit)


def _check_xml_nodes(archive: zipfile.ZipFile, limit: int) -> None:
    """Counts the elements of every XML part, clearing each one as it ends so that memory stays
    flat; stops at the first element past ``limit``. No entities are expanded, nothing is fetched."""
    count = 0
    for info in archive.infolist():
        if not info.filename.lower().endswith(_XML_SUFFIXES):
            continue
        with archive.open(info) as stream:
            for _, element in etree.iterparse(stream, events=("end",), resolve_entities=False, no_network=True,
                                              load_dtd=False, huge_tree=False):
                count += 1
                if count > limit:
                    raise over_limit("docx_too_complex", f"The Word document has more than {limit:,} XML elements; "
                                     "the parser reads at most that many.", "max_docx_xml_nodes", limit)
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]


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
