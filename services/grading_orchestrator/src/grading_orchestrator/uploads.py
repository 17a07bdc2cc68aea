"""What every uploaded transcript file is checked for before the parser sees it (``POST
/grade/upload``, and each file or ZIP member of a batch): its size, and a name that is only
ever a label (the last segment, never a path)."""

from __future__ import annotations

from pathlib import PurePosixPath

from medgrade_shared.errors import TooLarge

# The gateway's body limit and the parser's default: a larger file is refused before it is
# forwarded (a deployment without nginx still reads no more than this of it).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
_MAX_FILENAME_CHARS = 255


def safe_filename(name: str | None, default: str = "transcript") -> str:
    """The last segment of ``name`` (``/`` or ``\\`` separated), at most 255 characters."""
    last = PurePosixPath((name or "").replace("\\", "/")).name
    return last[-_MAX_FILENAME_CHARS:] or default


def check_size(size: int, name: str) -> None:
    if size > MAX_UPLOAD_BYTES:
        raise TooLarge("file_too_large", f"The file {name!r} is larger than {MAX_UPLOAD_BYTES} bytes.",
                       {"file": name})
