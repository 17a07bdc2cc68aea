"""Rubric versions and their statuses as immutable objects in the store.

Layout under ``rubrics/<rubric_id>/``:

- ``<version>.json``: the rubric content, written once with ``put_new`` and never changed. It is
  canonical JSON (sorted keys, compact, UTF-8) *without* the ``status`` field, so the same
  content is always the same bytes and a status change never touches it.
- ``<version>.approved.json`` and ``<version>.archived.json``: status markers, also written once
  with ``put_new``. A version's status is ``archived`` if its archived marker exists, else
  ``approved`` if its approved marker exists, else ``draft``. The lifecycle only moves forward
  (draft → approved → archived, or draft → archived), so every status change is the creation
  of one new object and concurrent changes cannot overwrite each other.

A version's representation (what GET returns) is the content with its current ``status``
added, again canonical JSON; its ``ETag`` is the SHA-256 of those bytes. Content objects written
before status markers existed embed a ``status``; it is ignored (read as draft) and re-submitting
the same rubric marked approved (as seeding does) approves it.

A content object is checked to load again, as the very bytes that were validated, before it is
written. One that does not load all the same (written by an older release, or damaged) raises
:class:`UnreadableVersion` where it is read; listings report it, and an operator removes it with
``python -m rubric_management.store_cli``: the only deletion there is.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from medgrade_shared.errors import Damaged
from medgrade_shared.models.rubric import SEMVER_PATTERN, Rubric, unanchored
from medgrade_shared.store import ObjectStore, StoreError

Status = Literal["draft", "approved", "archived"]
MARKED_STATUSES: tuple[Status, ...] = ("archived", "approved")
"""Statuses recorded by a marker object, the one that wins first."""

_PREFIX = "rubrics"
_SEMVER = unanchored(SEMVER_PATTERN)
_CONTENT_FILE = re.compile(rf"(?P<version>{_SEMVER})\.json")
_MARKER_FILE = re.compile(rf"(?P<version>{_SEMVER})\.(?P<status>approved|archived)\.json")

SemVerKey = tuple[int, int, int]


def semver_key(version: str) -> SemVerKey:
    major, minor, patch = version.split(".")
    return int(major), int(minor), int(patch)


def canonical_json(document: Any) -> bytes:
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def content_bytes(rubric: Rubric) -> bytes:
    """The stored form of a rubric version: everything but its status."""
    return canonical_json(rubric.model_dump(mode="json", exclude={"status"}))


def _content_key(rubric_id: str, version: str) -> str:
    return f"{_PREFIX}/{rubric_id}/{version}.json"


def _marker_key(rubric_id: str, version: str, status: Status) -> str:
    return f"{_PREFIX}/{rubric_id}/{version}.{status}.json"


def _status_of(markers: set[Status]) -> Status:
    return next((status for status in MARKED_STATUSES if status in markers), "draft")


class UnreadableVersion(Damaged):
    """A stored content object that does not load as the rubric version its key names."""

    def __init__(self, rubric_id: str, version: str, problem: str) -> None:
        super().__init__(
            "rubric_unreadable",
            f"Version {version} of rubric {rubric_id!r} is damaged in the store and cannot be read ({problem}); "
            "other rubrics are not affected. Ask an administrator to remove it ('python -m "
            f"rubric_management.store_cli remove --rubric {rubric_id} --version {version}').",
            {"rubric_id": rubric_id, "version": version, "problem": problem})
        self.rubric_id = rubric_id
        self.version = version
        self.problem = problem

    def __reduce__(self) -> tuple[Any, ...]:
        return UnreadableVersion, (self.rubric_id, self.version, self.problem)


def _problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]


@dataclass(frozen=True)
class RubricVersion:
    """One stored version with its current status."""

    rubric: Rubric
    content: bytes
    status: Status

    @property
    def rubric_id(self) -> str:
        return self.rubric.rubric_id

    @property
    def version(self) -> str:
        return self.rubric.version

    def with_status(self, status: Status) -> RubricVersion:
        return _load(self.content, status)

    def document(self) -> dict[str, Any]:
        """The representation as a JSON document: content plus status."""
        document: dict[str, Any] = json.loads(self.content)
        document["status"] = self.status
        return document

    @cached_property
    def body(self) -> bytes:
        return canonical_json(self.document())

    @property
    def etag(self) -> str:
        return f'"{hashlib.sha256(self.body).hexdigest()}"'


def _load(content: bytes, status: Status) -> RubricVersion:
    rubric = Rubric.model_validate_json(content)
    rubric.status = status
    return RubricVersion(rubric, content, status)


@dataclass(frozen=True)
class VersionInfo:
    version: str
    status: Status


class RubricListing(BaseModel):
    """One rubric in ``GET /rubrics``: served as it is."""

    model_config = ConfigDict(frozen=True)

    rubric_id: str = Field(description="The rubric's id.")
    title: str | None = Field(description="The title of its latest version.")
    latest_version: str = Field(description="Its highest version, whatever its status.")
    status: Status = Field(description="Status of `latest_version`.")
    approved_version: str | None = Field(description=(
        "What `GET /rubrics/{rubric_id}` returns (its highest approved version); null while none is approved."))
    versions: int = Field(description="How many versions it has.")


class CreateOutcome(Enum):
    CREATED = "created"
    IDENTICAL = "identical"
    CONFLICT = "conflict"


class RubricRepository:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    def create(self, rubric: Rubric) -> tuple[CreateOutcome, RubricVersion]:
        """Store a new version's content; never replaces one. On a clash, returns the stored
        version. ``rubric.status`` is not stored: see :meth:`mark`."""
        data = content_bytes(rubric)
        created = _load(data, "draft")
        if content_bytes(created.rubric) != data:
            raise ValueError(f"version {rubric.version} of {rubric.rubric_id!r} would not load back as validated")
        key = _content_key(rubric.rubric_id, rubric.version)
        if self.store.put_new(key, data):
            return CreateOutcome.CREATED, created
        existing = self.get(rubric.rubric_id, rubric.version)
        if existing is None:
            raise StoreError(f"store refused to write {key} but holds nothing there")
        # Compared as re-serialised content: objects stored before status markers embed a status.
        outcome = CreateOutcome.IDENTICAL if content_bytes(existing.rubric) == data else CreateOutcome.CONFLICT
        return outcome, existing

    def mark(self, rubric_id: str, version: str, status: Status, record: dict[str, Any]) -> bool:
        """Write the status marker of one version; False if it was already written."""
        if status == "draft":
            raise ValueError("draft is the status of a version without markers")
        return self.store.put_new(_marker_key(rubric_id, version, status), canonical_json(record))

    def get(self, rubric_id: str, version: str) -> RubricVersion | None:
        """That version, None if it is not stored; :class:`UnreadableVersion` if it does not load."""
        data = self.store.get(_content_key(rubric_id, version))
        if data is None:
            return None
        try:
            loaded = _load(data, self.status(rubric_id, version))
        except ValidationError as exc:
            raise UnreadableVersion(rubric_id, version, _problem(exc)) from None
        if (loaded.rubric_id, loaded.version) != (rubric_id, version):
            raise UnreadableVersion(rubric_id, version,
                                    f"it holds version {loaded.version} of rubric {loaded.rubric_id!r}")
        return loaded

    def status(self, rubric_id: str, version: str) -> Status:
        """The status of a stored version, from its markers."""
        return _status_of({s for s in MARKED_STATUSES
                           if self.store.get(_marker_key(rubric_id, version, s)) is not None})

    def history(self, rubric_id: str) -> list[VersionInfo]:
        """Every stored version with its status, highest first, from one listing."""
        versions: set[str] = set()
        markers: dict[str, set[Status]] = {}
        for key in self.store.list_keys(f"{_PREFIX}/{rubric_id}"):
            name = key.rsplit("/", 1)[-1]
            if match := _CONTENT_FILE.fullmatch(name):
                versions.add(match["version"])
            elif match := _MARKER_FILE.fullmatch(name):
                markers.setdefault(match["version"], set()).add(cast(Status, match["status"]))
        ordered = sorted(versions, key=semver_key, reverse=True)
        return [VersionInfo(v, _status_of(markers.get(v, set()))) for v in ordered]

    def latest(self, rubric_id: str) -> RubricVersion | None:
        """The highest version of any status: what the next edit starts from."""
        history = self.history(rubric_id)
        return self.get(rubric_id, history[0].version) if history else None

    def latest_approved(self, rubric_id: str) -> RubricVersion | None:
        """The highest approved version: what graders get when they ask for no version."""
        approved = next((info for info in self.history(rubric_id) if info.status == "approved"), None)
        return self.get(rubric_id, approved.version) if approved else None

    def rubric_ids(self) -> list[str]:
        keys = self.store.list_keys(_PREFIX)
        return sorted({key.split("/")[1] for key in keys if key.count("/") == 2})

    def listing(self, rubric_id: str) -> RubricListing | None:
        history = self.history(rubric_id)
        latest = self.get(rubric_id, history[0].version) if history else None
        if latest is None:
            return None
        approved = next((info.version for info in history if info.status == "approved"), None)
        return RubricListing(rubric_id=rubric_id, title=latest.rubric.title, latest_version=latest.version,
                             status=latest.status, approved_version=approved, versions=len(history))

    def unreadable(self) -> list[UnreadableVersion]:
        """Every stored version that does not load."""
        found = []
        for rubric_id in self.rubric_ids():
            for info in self.history(rubric_id):
                try:
                    self.get(rubric_id, info.version)
                except UnreadableVersion as exc:
                    found.append(exc)
        return found

    def remove_unreadable(self, rubric_id: str, version: str) -> None:
        """Delete an unreadable version: its markers first, so that a version of that number
        created later does not inherit them, then its content. Readable versions stay."""
        try:
            stored = self.get(rubric_id, version)
        except UnreadableVersion:
            for status in MARKED_STATUSES:
                self.store.delete(_marker_key(rubric_id, version, status))
            self.store.delete(_content_key(rubric_id, version))
            return
        if stored is None:
            raise LookupError(f"there is no version {version} of rubric {rubric_id!r}")
        raise ValueError(f"version {version} of rubric {rubric_id!r} is readable; stored versions are never "
                         "deleted (archive it instead)")
