"""One small storage interface with a local-folder backend (default, embedded).

Objects are immutable once written: ``put_new`` writes atomically and refuses to replace an
existing object, so two writers can never silently overwrite each other. ``delete`` is for
operators' repair tools only, never for a service's requests.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from medgrade_shared.settings import StoreSettings

_KEY_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class StoreError(Exception):
    """The store could not be read or written."""


def validate_key(key: str) -> list[str]:
    """Keys are '/'-separated safe segments: no '..', no absolute paths, no odd characters."""
    segments = key.split("/")
    if not segments or any(not _KEY_SEGMENT.fullmatch(s) or s in (".", "..") or ".." in s for s in segments):
        raise ValueError(f"unsafe store key {key!r}")
    return segments


class ObjectStore(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def put_new(self, key: str, data: bytes) -> bool:
        """Write ``data`` under ``key`` unless it exists; return False if it already did."""
        ...

    def list_keys(self, prefix: str) -> list[str]: ...

    def delete(self, key: str) -> None:
        """Remove the object under ``key``; nothing happens if there is none."""
        ...

    def check(self) -> None:
        """Raise StoreError unless the store is reachable and writable."""
        ...


class LocalStore:
    """A folder. Writes go to a temp file in the same folder, then are hard-linked into
    place: atomic, and the link fails if another writer got there first."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        path = self.root.joinpath(*validate_key(key)).resolve()
        if self.root not in path.parents:
            raise ValueError(f"store key {key!r} escapes the store")
        return path

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def put_new(self, key: str, data: bytes) -> bool:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(tmp, path)
            except FileExistsError:
                return False
            return True
        finally:
            os.unlink(tmp)

    def list_keys(self, prefix: str) -> list[str]:
        base = self._path(prefix.rstrip("/")) if prefix.strip("/") else self.root
        if not base.is_dir():
            return []
        keys = []
        for path in base.rglob("*"):
            if path.is_file() and not path.name.startswith(".tmp-"):
                keys.append(path.relative_to(self.root).as_posix())
        return sorted(keys)

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot delete {key}: {exc.strerror}") from exc

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            if not os.access(self.root, os.W_OK):
                raise StoreError(f"store folder {self.root} is not writable")
        except OSError as exc:
            raise StoreError(f"store folder {self.root} is not usable: {exc.strerror}") from exc


def open_store(settings: StoreSettings) -> ObjectStore:
    if settings.store_backend == "s3":
        from medgrade_shared.s3_store import (
            S3Store,  # boto3 is imported only when S3 is used
        )

        return S3Store.from_settings(settings)
    return LocalStore(settings.store_path)
