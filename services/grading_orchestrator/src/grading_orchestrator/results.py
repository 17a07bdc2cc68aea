"""Grading results in the store, immutable objects under each grading's key:

- ``gradings/<id>/transcript.json``: the parsed transcript the grading read, as the parser
  answered it (utterances with speakers, times and text; sections; the summary). The HTML
  report shows it with the cited lines marked. Gradings stored before it was kept have none.
- ``gradings/<id>.json``: the machine's grading document (revision 0), never rewritten.
- ``gradings/<id>/revisions/<n>.json``: revision n (n ≥ 1), made by a teacher's review; each
  written once with ``put_new``, so two reviews of the same revision cannot both land.

The transcript is written first: a grading document that exists always has its transcript,
and a failed write leaves at most a transcript no grading refers to (ids are random, or fixed
by a batch item's claim before it is graded, in which case its next try writes the document).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

import orjson

from grading_orchestrator.listings import GradingIndex
from medgrade_shared.store import ObjectStore

GRADING_ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")


def _document_key(grading_id: str) -> str:
    return f"gradings/{grading_id}.json"


def _transcript_key(grading_id: str) -> str:
    return f"gradings/{grading_id}/transcript.json"


def _revision_key(grading_id: str, revision: int) -> str:
    return f"gradings/{grading_id}/revisions/{revision}.json"


class ResultStore:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self.index = GradingIndex(store)

    async def save(self, grading_id: str, document: bytes, transcript: bytes, batch_id: str | None = None) -> bool:
        """Store a grading and index it for listings (:mod:`grading_orchestrator.listings`);
        False when one is already stored under that id (a batch item's grading id is fixed
        before it is graded, so a second try after a crash keeps the first grading). A
        transcript already there is such a try's too: the parse of the same input."""
        await asyncio.to_thread(self.store.put_new, _transcript_key(grading_id), transcript)
        stored = await asyncio.to_thread(self.store.put_new, _document_key(grading_id), document)
        if stored:
            await self.index.add(orjson.loads(document), batch_id)
        return stored

    async def load(self, grading_id: str) -> bytes | None:
        return await self._get(grading_id, _document_key)

    async def load_transcript(self, grading_id: str) -> bytes | None:
        """The parsed transcript of the grading; None for gradings stored without one."""
        return await self._get(grading_id, _transcript_key)

    async def save_revision(self, grading_id: str, revision: int, document: bytes) -> bool:
        """Write revision ``revision``; False if another review wrote it first."""
        return await asyncio.to_thread(self.store.put_new, _revision_key(grading_id, revision), document)

    async def load_revision(self, grading_id: str, revision: int) -> bytes | None:
        if revision == 0:
            return await self.load(grading_id)
        return await self._get(grading_id, lambda g: _revision_key(g, revision))

    async def revision_numbers(self, grading_id: str) -> list[int]:
        """The teacher's revisions stored (1, 2, …), in order; empty when never reviewed."""
        if not GRADING_ID_PATTERN.fullmatch(grading_id):
            return []
        keys = await asyncio.to_thread(self.store.list_keys, f"gradings/{grading_id}/revisions/")
        names = (key.rsplit("/", 1)[-1] for key in keys)
        return sorted(int(name[:-5]) for name in names if name.endswith(".json") and name[:-5].isdigit())

    async def _get(self, grading_id: str, key: Callable[[str], str]) -> bytes | None:
        if not GRADING_ID_PATTERN.fullmatch(grading_id):
            return None
        return await asyncio.to_thread(self.store.get, key(grading_id))
