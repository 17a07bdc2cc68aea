"""Batch state in the store: write-once objects, like gradings, so it survives any restart and
every replica sees the same state (local folder or S3, through the one ``ObjectStore``).

- ``batches/<batch_id>.json``: the manifest, written once at submission: rubric id and the
  version pinned then, the items (student id, transcript sha256, how it came), the caller.
- ``batches/<batch_id>.queued.json``: written once every item of the batch has been sent to
  the queue; with a durable queue (SQS) start-up sends again only the items of a batch without
  it (a submission cut short), so replicas starting together do not each send every item.
- ``batches/<batch_id>.complete.json``: written by whichever worker stored the last outcome;
  start-up resumes every batch without one.
- ``batch-items/<batch_id>/inputs/<n>.json``: item n's transcript (text, or a file's bytes).
- ``batch-items/<batch_id>/claims/<n>.json``: the grading id item n is graded under, written
  (``put_new``) before it is graded. Whoever writes it first fixes the id; a second try after
  a crash grades under the same id, and a grading is stored once per id (``ResultStore.save``).
- ``batch-items/<batch_id>/outcomes/<n>.json``: how item n ended (done or failed and why),
  with the figures the status, the results page and the CSV show.
- ``batch-keys/<sha256>.json``: the batch an ``Idempotency-Key`` (of one client) made.
- ``grading-inputs/<sha256>.json``: the grading of a (student, transcript sha256, rubric id,
  rubric version), so an item graded before reuses it.

Objects are immutable, so what has been read once is kept in memory: polling a batch reads
only the outcomes that are new since the last poll.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from typing import Any

import orjson

from medgrade_shared.store import ObjectStore

BATCH_ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")


def _manifest_key(batch_id: str) -> str:
    return f"batches/{batch_id}.json"


def _complete_key(batch_id: str) -> str:
    return f"batches/{batch_id}.complete.json"


def _queued_key(batch_id: str) -> str:
    return f"batches/{batch_id}.queued.json"


_MARKERS = (".complete.json", ".queued.json")


def _item_key(batch_id: str, kind: str, index: int) -> str:
    return f"batch-items/{batch_id}/{kind}/{index}.json"


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


class BatchStore:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self._cache: dict[str, dict[str, Any]] = {}

    async def _put(self, key: str, value: dict[str, Any]) -> bool:
        return await asyncio.to_thread(self.store.put_new, key, orjson.dumps(value))

    async def _get(self, key: str) -> dict[str, Any] | None:
        if key in self._cache:
            return self._cache[key]
        raw = await asyncio.to_thread(self.store.get, key)
        if raw is None:
            return None
        value = orjson.loads(raw)
        self._cache[key] = value
        return value

    async def _indices(self, batch_id: str, kind: str) -> set[int]:
        keys = await asyncio.to_thread(self.store.list_keys, f"batch-items/{batch_id}/{kind}/")
        names = (key.rsplit("/", 1)[-1] for key in keys)
        return {int(name[:-5]) for name in names if name.endswith(".json") and name[:-5].isdigit()}

    # The batch as a whole.
    async def save_manifest(self, batch_id: str, manifest: dict[str, Any]) -> bool:
        return await self._put(_manifest_key(batch_id), manifest)

    async def manifest(self, batch_id: str) -> dict[str, Any] | None:
        if not BATCH_ID_PATTERN.fullmatch(batch_id):
            return None
        return await self._get(_manifest_key(batch_id))

    async def mark_complete(self, batch_id: str, finished_at: str) -> None:
        await self._put(_complete_key(batch_id), {"finished_at": finished_at})

    async def mark_queued(self, batch_id: str) -> None:
        await self._put(_queued_key(batch_id), {"queued": True})

    async def open_batches(self) -> dict[str, bool]:
        """The batches not complete yet, in batch id order, each with whether all its items
        were queued (what start-up resumes)."""
        names = [key.rsplit("/", 1)[-1] for key in await asyncio.to_thread(self.store.list_keys, "batches/")]
        complete = {name.removesuffix(".complete.json") for name in names if name.endswith(".complete.json")}
        queued = {name.removesuffix(".queued.json") for name in names if name.endswith(".queued.json")}
        ids = {name.removesuffix(".json") for name in names if not name.endswith(_MARKERS)}
        return {batch_id: batch_id in queued for batch_id in sorted(ids - complete)}

    # Items.
    async def save_input(self, batch_id: str, index: int, item_input: dict[str, Any]) -> None:
        await self._put(_item_key(batch_id, "inputs", index), item_input)

    async def item_input(self, batch_id: str, index: int) -> dict[str, Any] | None:
        raw = await asyncio.to_thread(self.store.get, _item_key(batch_id, "inputs", index))  # large: not cached
        return None if raw is None else orjson.loads(raw)

    async def claim(self, batch_id: str, index: int, claim: dict[str, Any]) -> dict[str, Any]:
        """Write item ``index``'s claim unless one exists; the claim that holds."""
        key = _item_key(batch_id, "claims", index)
        if await self._put(key, claim):
            self._cache[key] = claim
            return claim
        return await self._get(key) or claim

    async def claims(self, batch_id: str) -> dict[int, dict[str, Any]]:
        return {i: c for i in await self._indices(batch_id, "claims")
                if (c := await self._get(_item_key(batch_id, "claims", i))) is not None}

    async def save_outcome(self, batch_id: str, index: int, outcome: dict[str, Any]) -> None:
        await self._put(_item_key(batch_id, "outcomes", index), outcome)

    async def outcome(self, batch_id: str, index: int) -> dict[str, Any] | None:
        return await self._get(_item_key(batch_id, "outcomes", index))

    async def outcomes(self, batch_id: str) -> dict[int, dict[str, Any]]:
        return {i: o for i in await self._indices(batch_id, "outcomes")
                if (o := await self.outcome(batch_id, i)) is not None}

    # Indexes.
    async def batch_for_key(self, client: str, idempotency_key: str, batch_id: str) -> str:
        """The batch this client's ``Idempotency-Key`` names: ``batch_id`` if it is the first use."""
        key = f"batch-keys/{_digest(client, idempotency_key)}.json"
        if await self._put(key, {"batch_id": batch_id}):
            return batch_id
        stored = await self._get(key)
        return stored["batch_id"] if stored else batch_id

    @staticmethod
    def _input_key(student_id: str, sha256: str, rubric_id: str, rubric_version: str, kind: str) -> str:
        # an interview's key is the one written before submissions had kinds, so those are still found
        parts = (student_id, sha256, rubric_id, rubric_version, *(() if kind == "interview" else (kind,)))
        return f"grading-inputs/{_digest(*parts)}.json"

    async def earlier_grading(self, student_id: str, sha256: str, rubric_id: str, rubric_version: str,
                              kind: str) -> str | None:
        found = await self._get(self._input_key(student_id, sha256, rubric_id, rubric_version, kind))
        return found["grading_id"] if found else None

    async def remember_grading(self, student_id: str, sha256: str, rubric_id: str, rubric_version: str, kind: str,
                               grading_id: str) -> None:
        key = self._input_key(student_id, sha256, rubric_id, rubric_version, kind)
        await self._put(key, {"grading_id": grading_id})
