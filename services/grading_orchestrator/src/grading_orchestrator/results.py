"""Grading results in the store, immutable objects under each grading's key:

- ``gradings/<id>/transcript.json``: the parsed transcript the grading read, as the parser
  answered it (utterances with speakers, times and text; sections; the summary). The HTML
  report shows it with the cited lines marked. Gradings stored before it was kept have none.
- ``gradings/<id>.json``: the grading document ``GET /gradings/{id}`` serves.

The transcript is written first: a grading document that exists always has its transcript,
and a failed write leaves at most a transcript no grading refers to (ids are random).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

from medgrade_shared.store import ObjectStore

GRADING_ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")


def _document_key(grading_id: str) -> str:
    return f"gradings/{grading_id}.json"


def _transcript_key(grading_id: str) -> str:
    return f"gradings/{grading_id}/transcript.json"


class ResultStore:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    async def save(self, grading_id: str, document: bytes, transcript: bytes) -> None:
        for key, data in ((_transcript_key(grading_id), transcript), (_document_key(grading_id), document)):
            if not await asyncio.to_thread(self.store.put_new, key, data):
                raise FileExistsError(f"{key} already stored")

    async def load(self, grading_id: str) -> bytes | None:
        return await self._get(grading_id, _document_key)

    async def load_transcript(self, grading_id: str) -> bytes | None:
        """The parsed transcript of the grading; None for gradings stored without one."""
        return await self._get(grading_id, _transcript_key)

    async def _get(self, grading_id: str, key: Callable[[str], str]) -> bytes | None:
        if not GRADING_ID_PATTERN.fullmatch(grading_id):
            return None
        return await asyncio.to_thread(self.store.get, key(grading_id))
