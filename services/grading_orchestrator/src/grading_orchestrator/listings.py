"""Listing gradings without reading them: a small index object is written beside each grading.

For every stored grading two index objects hold its summary (id, time, student, rubric, kind,
overall, needs_review, batch), one under ``grading-index/all/`` and one under the student's folder
``grading-index/students/<sha256 of the student id>/``. Their keys carry what the filters need,
``<UTC time>-<grading id>/<rubric id>.<r0|r1>.<batch id or none>.json``, so a listing lists keys
under one prefix, filters on the keys and reads only the objects of the page it returns. Newest
first; the cursor is the last key of a page. ``needs_review`` is the machine's, as graded (a
teacher's review does not change the index). Gradings stored before the index existed are not
listed.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from medgrade_shared.store import ObjectStore

ROOT = "grading-index"
_TIME_FORMAT = "%Y%m%dT%H%M%S%fZ"
NO_BATCH = "none"


def _student_folder(student_id: str) -> str:
    return f"{ROOT}/students/{hashlib.sha256(student_id.encode()).hexdigest()[:32]}"


def stamp(moment: datetime) -> str:
    """A time as index keys sort it: UTC to the microsecond (a time without a zone is UTC)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).strftime(_TIME_FORMAT)


@dataclass(frozen=True)
class Filters:
    student_id: str | None = None
    rubric_id: str | None = None
    batch_id: str | None = None
    needs_review: bool | None = None
    since: datetime | None = None


@dataclass(frozen=True)
class _Key:
    key: str
    moment: str
    rubric_id: str
    needs_review: bool
    batch_id: str | None

    @classmethod
    def parse(cls, key: str) -> _Key | None:
        *_, folder, name = key.split("/")
        moment, _, _ = folder.partition("-")
        parts = name.removesuffix(".json").split(".")
        if len(parts) != 3 or parts[1] not in ("r0", "r1"):
            return None
        return cls(key, moment, parts[0], parts[1] == "r1", None if parts[2] == NO_BATCH else parts[2])

    def matches(self, filters: Filters) -> bool:
        return ((filters.rubric_id is None or self.rubric_id == filters.rubric_id)
                and (filters.batch_id is None or self.batch_id == filters.batch_id)
                and (filters.needs_review is None or self.needs_review == filters.needs_review)
                and (filters.since is None or self.moment >= stamp(filters.since)))


class GradingIndex:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    async def add(self, document: dict[str, Any], batch_id: str | None) -> None:
        """Index a stored grading document (revision 0)."""
        moment = stamp(datetime.fromisoformat(document["created_at"]))
        name = (f"{moment}-{document['grading_id']}/{document['rubric_id']}."
                f"{'r1' if document['needs_review'] else 'r0'}.{batch_id or NO_BATCH}.json")
        summary = orjson.dumps({
            "grading_id": document["grading_id"], "created_at": document["created_at"],
            "student_id": document["student_id"], "rubric_id": document["rubric_id"],
            "rubric_version": document["rubric_version"], "kind": document.get("kind", "interview"),
            "overall": document["overall"], "needs_review": document["needs_review"], "batch_id": batch_id})
        await asyncio.gather(*(asyncio.to_thread(self.store.put_new, f"{folder}/{name}", summary)
                               for folder in (f"{ROOT}/all", _student_folder(document["student_id"]))))

    async def page(self, filters: Filters, cursor: str | None, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        """A page of summaries, newest first, and the cursor of the next page (None: the last)."""
        folder = _student_folder(filters.student_id) if filters.student_id else f"{ROOT}/all"
        keys = await asyncio.to_thread(self.store.list_keys, folder)
        parsed = [k for k in (_Key.parse(key) for key in sorted(keys, reverse=True)) if k is not None]
        if cursor is not None:
            parsed = [k for k in parsed if k.key < cursor]
        chosen = [k for k in parsed if k.matches(filters)]
        page, more = chosen[:limit], len(chosen) > limit
        items = []
        for key in page:
            raw = await asyncio.to_thread(self.store.get, key.key)
            if raw is not None:
                items.append(orjson.loads(raw))
        return items, (page[-1].key if more and page else None)
