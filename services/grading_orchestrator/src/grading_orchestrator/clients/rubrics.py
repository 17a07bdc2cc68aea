"""rubric_management client with a rubric cache.

Pinned versions are immutable, so they are cached for good (LRU-bounded); "latest" is
re-resolved after a short TTL so an approval shows up quickly.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

from pydantic import ValidationError

from medgrade_shared.errors import UpstreamFailed
from medgrade_shared.http_client import ServiceClient
from medgrade_shared.models.rubric import Rubric


@dataclass(frozen=True)
class FetchedRubric:
    rubric_id: str
    version: str
    raw: bytes
    """The rubric JSON exactly as the rubric service sent it; forwarded to scoring as is."""
    rubric: Rubric
    """The same, validated: what a grading needs to know before scoring (the kinds, the components)."""


class RubricClient:
    def __init__(self, service: ServiceClient, *, latest_ttl_s: float, max_entries: int) -> None:
        self.service = service
        self.latest_ttl_s = latest_ttl_s
        self.max_entries = max_entries
        self._pinned: OrderedDict[tuple[str, str], FetchedRubric] = OrderedDict()
        self._latest: dict[str, tuple[float, FetchedRubric]] = {}

    async def get(self, rubric_id: str, version: str | None) -> FetchedRubric:
        if version is None:
            cached = self._latest.get(rubric_id)
            if cached and time.monotonic() - cached[0] < self.latest_ttl_s:
                return cached[1]
        elif (hit := self._pinned.get((rubric_id, version))) is not None:
            self._pinned.move_to_end((rubric_id, version))
            return hit
        params = {"version": version} if version else None
        raw = await self.service.request_bytes("GET", f"/rubrics/{rubric_id}", params=params)
        fetched = _decode(raw)
        if version is None:
            self._latest[rubric_id] = (time.monotonic(), fetched)
        self._remember(fetched)
        return fetched

    def _remember(self, fetched: FetchedRubric) -> None:
        key = (fetched.rubric_id, fetched.version)
        self._pinned[key] = fetched
        self._pinned.move_to_end(key)
        while len(self._pinned) > self.max_entries:
            self._pinned.popitem(last=False)


def _decode(raw: bytes) -> FetchedRubric:
    try:
        rubric = Rubric.model_validate_json(raw)
    except ValidationError as exc:  # the rubric service validates what it stores: a version skew
        raise UpstreamFailed("bad_gateway", f"rubric_management sent a rubric this orchestrator cannot read "
                             f"({exc.error_count()} problem(s)); no grade was produced",
                             {"service": "rubric_management", "stage": "rubric"}) from None
    return FetchedRubric(rubric_id=rubric.rubric_id, version=rubric.version, raw=raw, rubric=rubric)
