"""Grading results in the store, one immutable object per grading: ``gradings/<id>.json``."""

from __future__ import annotations

import asyncio
import re

from medgrade_shared.store import ObjectStore

GRADING_ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")


class ResultStore:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    async def save(self, grading_id: str, document: bytes) -> None:
        if not await asyncio.to_thread(self.store.put_new, f"gradings/{grading_id}.json", document):
            raise FileExistsError(f"grading {grading_id} already stored")

    async def load(self, grading_id: str) -> bytes | None:
        if not GRADING_ID_PATTERN.fullmatch(grading_id):
            return None
        return await asyncio.to_thread(self.store.get, f"gradings/{grading_id}.json")
