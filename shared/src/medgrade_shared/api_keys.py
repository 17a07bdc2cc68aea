"""API keys: who may call the public API, and with which scopes.

Only a key's SHA-256 hash is kept, with the client name, scopes, creation time and a
revoked flag, in one JSON document (``auth/api_keys.json``) beside the other state: a local
file in development, an S3 object in production. That document is *replaced* on every
change, so it does not go through ``ObjectStore.put_new`` (write-once); a ``KeyFile`` offers
read / cheap change check / compare-and-swap replace instead:

* ``LocalKeyFile``: writers take an exclusive ``flock`` on a lock file beside the document,
  compare its version (a SHA-256 of its content) with the one they read, then write a temp
  file and rename it into place (atomic: readers see the old or the new document, never half).
* ``S3KeyFile``: ``put_object`` with ``IfMatch`` on the ETag that was read (``IfNoneMatch``
  for the first write); S3 rejects the put if another writer got there first.

Either way a lost update is impossible: ``ApiKeyStore`` re-reads and retries on conflict.
Readers re-check the document's version before trusting their copy (locally on every call,
by reading and hashing the small file; on S3 a ``HEAD`` for its ETag at most every
``recheck_after_s``), so a revocation takes effect without restarting anything.
"""

from __future__ import annotations

import builtins
import fcntl
import hashlib
import json
import os
import random
import re
import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from medgrade_shared.settings import StoreSettings
from medgrade_shared.store import StoreError

API_KEYS_KEY = "auth/api_keys.json"
KEY_PREFIX = "mgk_"
SCOPES = ("grade", "review", "rubrics:read", "rubrics:write")
HASH_PREFIX_LEN = 12

_CLIENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_MAX_KEY_LEN = 128
_WRITE_ATTEMPTS = 20
_S3_CONFLICTS = frozenset({"PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey", "412", "409", "404"})


class KeyStoreError(Exception):
    """A key-management request that cannot be done (bad name or scope, no such key)."""


@dataclass(frozen=True)
class Client:
    """The caller a valid key belongs to."""

    name: str
    scopes: frozenset[str]


@dataclass(frozen=True)
class KeyRecord:
    name: str
    sha256: str
    scopes: tuple[str, ...]
    created_at: str
    revoked: bool = False

    @property
    def hash_prefix(self) -> str:
        return self.sha256[:HASH_PREFIX_LEN]


class KeyFile(Protocol):
    recheck_after_s: float
    """How long a version check stays trusted before the backend is asked again."""

    def version(self) -> str | None:
        """A token that changes whenever the document changes; None when there is none."""
        ...

    def read(self) -> tuple[bytes | None, str | None]:
        """The document and its version, read together."""
        ...

    def replace(self, data: bytes, expected_version: str | None) -> bool:
        """Write ``data`` if the document is still at ``expected_version``; False if not."""
        ...


class LocalKeyFile:
    recheck_after_s = 0.0

    def __init__(self, path: Path) -> None:
        self.path = path

    @staticmethod
    def _version(data: bytes) -> str:
        """A content hash, not inode/mtime/size: those repeat when a freed inode is reused
        within one timestamp tick, and a stale writer would then overwrite a newer file."""
        return hashlib.sha256(data).hexdigest()

    def version(self) -> str | None:
        return self.read()[1]

    def read(self) -> tuple[bytes | None, str | None]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None, None
        except OSError as exc:
            raise StoreError(f"cannot read {self.path}: {exc.strerror}") from exc
        return data, self._version(data)

    def replace(self, data: bytes, expected_version: str | None) -> bool:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if self.version() != expected_version:
                    return False
                fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
                try:
                    with os.fdopen(fd, "wb") as handle:
                        handle.write(data)
                        handle.flush()
                        os.fsync(handle.fileno())
                    os.replace(tmp, self.path)
                except BaseException:
                    os.unlink(tmp)
                    raise
                return True
        except OSError as exc:
            raise StoreError(f"cannot write {self.path}: {exc.strerror}") from exc


class S3KeyFile:
    def __init__(self, client: Any, bucket: str, key: str, recheck_after_s: float) -> None:
        self.client = client
        self.bucket = bucket
        self.key = key
        self.recheck_after_s = recheck_after_s

    def version(self) -> str | None:
        try:
            etag: str = self.client.head_object(Bucket=self.bucket, Key=self.key)["ETag"]
            return etag
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NoSuchKey", "404"):
                return None
            raise StoreError(f"S3 head failed: {exc.response['Error']['Code']}") from exc
        except BotoCoreError as exc:
            raise StoreError(f"S3 is unreachable: {type(exc).__name__}") from exc

    def read(self) -> tuple[bytes | None, str | None]:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key)
            return answer["Body"].read(), answer["ETag"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NoSuchKey", "404"):
                return None, None
            raise StoreError(f"S3 get failed: {exc.response['Error']['Code']}") from exc
        except BotoCoreError as exc:
            raise StoreError(f"S3 is unreachable: {type(exc).__name__}") from exc

    def replace(self, data: bytes, expected_version: str | None) -> bool:
        condition = {"IfMatch": expected_version} if expected_version else {"IfNoneMatch": "*"}
        try:
            self.client.put_object(Bucket=self.bucket, Key=self.key, Body=data,
                                   ContentType="application/json", **condition)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in _S3_CONFLICTS:
                return False
            raise StoreError(f"S3 put failed: {exc.response['Error']['Code']}") from exc
        except BotoCoreError as exc:
            raise StoreError(f"S3 is unreachable: {type(exc).__name__}") from exc
        return True


def open_key_file(settings: StoreSettings, recheck_after_s: float = 5.0) -> KeyFile:
    """The key document in the configured store (``recheck_after_s`` applies to S3)."""
    if settings.store_backend == "s3":
        from medgrade_shared.s3_store import (
            S3Store,  # boto3 is imported only when S3 is used
        )

        store = S3Store.from_settings(settings)
        return S3KeyFile(store.client, store.bucket, store.prefix + API_KEYS_KEY, recheck_after_s)
    return LocalKeyFile(Path(settings.store_path) / API_KEYS_KEY)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeyStore:
    """Create, list, revoke and verify keys kept in one ``KeyFile``. Thread-safe."""

    def __init__(self, file: KeyFile, clock: Callable[[], float] = time.monotonic) -> None:
        self.file = file
        self.clock = clock
        self._lock = threading.Lock()
        self._version: str | None = None
        self._records: dict[str, KeyRecord] = {}
        self._checked_at: float | None = None

    def verify(self, key: str) -> Client | None:
        """The client of a valid, unrevoked key, else None.

        The presented key is hashed and the digest looked up: no comparison ever runs on the
        secret itself, so its timing reveals nothing about stored keys."""
        if not key.startswith(KEY_PREFIX) or len(key) > _MAX_KEY_LEN:
            return None
        record = self._current().get(hash_key(key))
        if record is None or record.revoked:
            return None
        return Client(record.name, frozenset(record.scopes))

    def list(self) -> builtins.list[KeyRecord]:
        return sorted(self._current().values(), key=lambda r: (r.created_at, r.name))

    def create(self, name: str, scopes: builtins.list[str] | tuple[str, ...]) -> str:
        """Add a key for ``name`` and return it; only its hash is stored, so this is the
        one time it can be seen. A client may hold several keys (rotation)."""
        if not _CLIENT_NAME.fullmatch(name):
            raise KeyStoreError("a client name is 1-64 letters, digits, '.', '_' or '-', "
                                "starting with a letter or digit")
        unknown = sorted(set(scopes) - set(SCOPES))
        if unknown or not scopes:
            raise KeyStoreError(f"scopes must be a non-empty subset of {', '.join(SCOPES)}; got {unknown or 'none'}")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        record = KeyRecord(name=name, sha256=hash_key(key), scopes=tuple(s for s in SCOPES if s in scopes),
                           created_at=datetime.now(UTC).isoformat(timespec="seconds"))
        self._update(lambda records: {**records, record.sha256: record})
        return key

    def revoke(self, *, name: str | None = None, hash_prefix: str | None = None) -> builtins.list[KeyRecord]:
        """Revoke every active key of client ``name``, or the one key whose hash starts with
        ``hash_prefix`` (at least 8 hex digits, unambiguous). Returns the revoked records."""
        if (name is None) == (hash_prefix is None):
            raise KeyStoreError("give either a client name or a hash prefix")
        if hash_prefix is not None and not re.fullmatch(r"[0-9a-f]{8,64}", hash_prefix):
            raise KeyStoreError("a hash prefix is 8 to 64 lowercase hex digits")
        revoked: builtins.list[KeyRecord] = []

        def mutate(records: dict[str, KeyRecord]) -> dict[str, KeyRecord]:
            if name is not None:
                targets = [r for r in records.values() if r.name == name and not r.revoked]
            else:
                assert hash_prefix is not None  # one of the two is given (checked above)
                targets = [r for r in records.values() if r.sha256.startswith(hash_prefix) and not r.revoked]
                if len(targets) > 1:
                    raise KeyStoreError(f"hash prefix {hash_prefix} matches {len(targets)} keys; give more digits")
            revoked[:] = [replace(r, revoked=True) for r in targets]
            return {**records, **{r.sha256: r for r in revoked}}

        self._update(mutate)
        return revoked

    def _current(self) -> dict[str, KeyRecord]:
        with self._lock:
            now = self.clock()
            if self._checked_at is None or now - self._checked_at >= self.file.recheck_after_s:
                if self._checked_at is None or self.file.version() != self._version:
                    data, self._version = self.file.read()
                    self._records = _decode(data)
                self._checked_at = now
            return self._records

    def _update(self, mutate: Callable[[dict[str, KeyRecord]], dict[str, KeyRecord]]) -> None:
        for _ in range(_WRITE_ATTEMPTS):
            data, version = self.file.read()
            records = _decode(data)
            changed = mutate(records)
            if changed == records:
                return
            if self.file.replace(_encode(changed), version):
                with self._lock:
                    self._checked_at = None
                return
            time.sleep(random.uniform(0, 0.02))  # another writer won this round; let the others through
        raise StoreError(f"the key file kept changing under us; gave up after {_WRITE_ATTEMPTS} attempts")


def _decode(data: bytes | None) -> dict[str, KeyRecord]:
    if data is None:
        return {}
    try:
        document = json.loads(data)
        records = [KeyRecord(**{**item, "scopes": tuple(item["scopes"])}) for item in document["keys"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"the API key file is not valid: {type(exc).__name__}") from exc
    return {r.sha256: r for r in records}


def _encode(records: dict[str, KeyRecord]) -> bytes:
    keys = [{**asdict(r), "scopes": list(r.scopes)} for r in sorted(records.values(), key=lambda r: r.created_at)]
    return json.dumps({"format": 1, "keys": keys}, indent=2).encode() + b"\n"
