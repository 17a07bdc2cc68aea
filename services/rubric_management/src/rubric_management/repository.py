"""Rubric versions as immutable objects in the store, under ``rubrics/<rubric_id>/<version>.json``.

Stored bytes are canonical JSON (sorted keys, compact, UTF-8), so the same rubric content is
always the same bytes: a re-submitted version compares byte-equal and its ETag never changes.

"Latest" version of a rubric: the highest semantic version among its ``approved`` versions;
when none is approved, the highest version of any status.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from enum import Enum

from medgrade_shared.models.rubric import SEMVER_PATTERN, Rubric
from medgrade_shared.store import ObjectStore, StoreError

_PREFIX = "rubrics"
_VERSION_FILE = re.compile(SEMVER_PATTERN.removesuffix("$") + r"\.json$")

SemVerKey = tuple[int, int, int]


def canonical_bytes(rubric: Rubric) -> bytes:
    return json.dumps(
        rubric.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def _semver_key(version: str) -> SemVerKey:
    major, minor, patch = version.split(".")
    return int(major), int(minor), int(patch)


def _key(rubric_id: str, version: str) -> str:
    return f"{_PREFIX}/{rubric_id}/{version}.json"


@dataclass(frozen=True)
class StoredRubric:
    rubric: Rubric
    data: bytes

    @property
    def etag(self) -> str:
        return f'"{hashlib.sha256(self.data).hexdigest()}"'


@dataclass(frozen=True)
class RubricListing:
    rubric_id: str
    title: str | None
    latest_version: str
    status: str
    versions: int


class CreateOutcome(Enum):
    CREATED = "created"
    IDENTICAL = "identical"
    CONFLICT = "conflict"


class RubricRepository:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    def create(self, rubric: Rubric) -> tuple[CreateOutcome, StoredRubric]:
        """Store a new version; never replaces one. On a clash, returns the stored version."""
        data = canonical_bytes(rubric)
        key = _key(rubric.rubric_id, rubric.version)
        if self.store.put_new(key, data):
            return CreateOutcome.CREATED, StoredRubric(rubric, data)
        existing = self.store.get(key)
        if existing is None:
            raise StoreError(f"store refused to write {key} but holds nothing there")
        outcome = CreateOutcome.IDENTICAL if existing == data else CreateOutcome.CONFLICT
        return outcome, StoredRubric(Rubric.model_validate_json(existing), existing)

    def get(self, rubric_id: str, version: str | None = None) -> StoredRubric | None:
        """One version, or the latest (see the module docstring) when ``version`` is None."""
        if version is not None:
            return self._load(rubric_id, version)
        return self._latest(rubric_id, self.versions(rubric_id))

    def versions(self, rubric_id: str) -> list[str]:
        """The stored versions of a rubric, highest first."""
        names = (key.rsplit("/", 1)[-1] for key in self.store.list_keys(f"{_PREFIX}/{rubric_id}"))
        found = [name.removesuffix(".json") for name in names if _VERSION_FILE.match(name)]
        return sorted(found, key=_semver_key, reverse=True)

    def rubric_ids(self) -> list[str]:
        keys = self.store.list_keys(_PREFIX)
        return sorted({key.split("/")[1] for key in keys if key.count("/") == 2})

    def listing(self, rubric_id: str) -> RubricListing | None:
        versions = self.versions(rubric_id)
        latest = self._latest(rubric_id, versions)
        if latest is None:
            return None
        rubric = latest.rubric
        return RubricListing(rubric.rubric_id, rubric.title, rubric.version, rubric.status, len(versions))

    def _latest(self, rubric_id: str, versions: list[str]) -> StoredRubric | None:
        highest: StoredRubric | None = None
        for version in versions:
            stored = self._load(rubric_id, version)
            if stored is None:
                continue
            if stored.rubric.status == "approved":
                return stored
            highest = highest or stored
        return highest

    def _load(self, rubric_id: str, version: str) -> StoredRubric | None:
        data = self.store.get(_key(rubric_id, version))
        return None if data is None else StoredRubric(Rubric.model_validate_json(data), data)
