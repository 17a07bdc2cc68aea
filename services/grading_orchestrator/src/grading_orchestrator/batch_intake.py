"""A submitted batch turned into items to store: JSON items, several uploaded files, or one ZIP
of transcripts named by student id.

A file's or member's name only gives the student id (its last segment without the extension);
it is never used as a path. Each file and member is checked like ``POST /grade/upload``'s file
(size; the parser sniffs its type when it is graded). A ZIP is refused whole when a member is
encrypted, too large, not named by a student id, or a second file of the same student.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from grading_orchestrator import uploads
from medgrade_shared.errors import Invalid
from medgrade_shared.models.batch import BatchRequest
from medgrade_shared.models.grading import STUDENT_ID_PATTERN
from medgrade_shared.models.rubric import SubmissionKind

_STUDENT_ID = re.compile(STUDENT_ID_PATTERN)
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True, slots=True)
class ItemInput:
    student_id: str
    sha256: str
    stored: dict[str, Any]  # what batch-items/<id>/inputs/<n>.json holds
    kind: SubmissionKind | None = None  # an interview or a presentation; None: the batch's kind


def from_json(request: BatchRequest) -> list[ItemInput]:
    return [ItemInput(item.student_id, hashlib.sha256(item.transcript.encode()).hexdigest(),
                      {"kind": "text", "text": item.transcript, "format": item.format}, item.kind)
            for item in request.items]


def file_item(name: str | None, content: bytes, content_type: str) -> ItemInput:
    filename = uploads.safe_filename(name, default="")
    uploads.check_size(len(content), filename)
    if not content:
        raise Invalid("empty_file", f"The file {filename!r} is empty.", {"file": filename})
    student_id = filename.rsplit(".", 1)[0] if "." in filename else filename
    if not student_id or len(student_id) > 128 or not _STUDENT_ID.fullmatch(student_id):
        raise Invalid("bad_file_name", f"The file {filename!r} is not named by a student id: name each "
                      "transcript after its student (letters, digits and . _ @ -), e.g. s001.txt.",
                      {"file": filename})
    return ItemInput(student_id, hashlib.sha256(content).hexdigest(),
                     {"kind": "file", "filename": filename, "content_type": content_type,
                      "content_b64": base64.b64encode(content).decode()})


def from_zip(content: bytes, max_items: int) -> list[ItemInput]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = [info for info in archive.infolist() if not info.is_dir()
                   and not _ignored(info.filename)]
    except zipfile.BadZipFile:
        raise Invalid("bad_zip", "The ZIP file cannot be read.") from None
    if len(members) > max_items:
        raise Invalid("too_many_items", f"The ZIP has {len(members)} transcripts; a batch has at most "
                      f"{max_items}.")
    items = []
    for info in members:
        name = uploads.safe_filename(info.filename, default="")
        if info.flag_bits & 0x1:
            raise Invalid("encrypted_member", f"The ZIP member {name!r} is encrypted.", {"file": name})
        uploads.check_size(info.file_size, name)
        try:
            with archive.open(info) as member:
                data = member.read(uploads.MAX_UPLOAD_BYTES + 1)  # the header's size may lie
        except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError):
            raise Invalid("bad_zip", f"The ZIP member {name!r} cannot be read.", {"file": name}) from None
        items.append(file_item(name, data, "application/octet-stream"))
    return items


def _ignored(name: str) -> bool:
    """What archivers add beside the files: macOS resource forks, hidden files."""
    return name.startswith("__MACOSX/") or uploads.safe_filename(name, default=".").startswith(".")


def check_items(items: list[ItemInput], max_items: int) -> list[ItemInput]:
    if not items:
        raise Invalid("no_items", "The batch has no transcripts.")
    if len(items) > max_items:
        raise Invalid("too_many_items", f"The batch has {len(items)} transcripts; at most {max_items}.")
    seen: set[str] = set()
    for item in items:
        if item.student_id in seen:
            raise Invalid("duplicate_student", f"Student {item.student_id!r} has two transcripts in the "
                          "batch; send one per student.", {"student_id": item.student_id})
        seen.add(item.student_id)
    return items
