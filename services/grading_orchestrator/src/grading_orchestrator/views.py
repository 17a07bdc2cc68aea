"""A grading as its routes serve it: one revision (the latest unless asked), with its ETag and
the summaries of all revisions."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import orjson

from grading_orchestrator.pipeline import GradingPipeline
from grading_orchestrator.results import ResultStore
from grading_orchestrator.revisions import etag, summary
from medgrade_shared.errors import NotFound, Unavailable
from medgrade_shared.http_client import DownstreamError
from medgrade_shared.models.rubric import Rubric
from medgrade_shared.models.transcript import ParsedTranscript

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GradingView:
    grading_id: str
    revision: int  # the one served
    latest: int
    document: bytes  # as stored
    summaries: list[dict[str, Any]]

    @property
    def etag(self) -> str:
        return etag(self.grading_id, self.revision)

    def body(self) -> bytes:
        """The machine's grading byte for byte while there is no review (or when revision 0 is
        asked for); a reviewed revision with ``reviewed`` and ``revisions`` added."""
        if self.revision == 0:
            return self.document
        return orjson.dumps({**orjson.loads(self.document), "reviewed": True, "revisions": self.summaries})


async def latest_view(results: ResultStore, grading_id: str, revision: int | None = None) -> GradingView:
    machine = await results.load(grading_id)
    if machine is None:
        raise NotFound("grading_not_found", f"no grading with id {grading_id!r}")
    numbers = await results.revision_numbers(grading_id)
    latest = numbers[-1] if numbers else 0
    wanted = latest if revision is None else revision
    if wanted != 0 and wanted not in numbers:
        raise NotFound("revision_not_found", f"grading {grading_id!r} has no revision {wanted}; it has "
                       f"revisions 0 to {latest}.", {"revisions": [0, *numbers]})
    documents = {0: machine}
    for number in numbers:
        documents[number] = await results.load_revision(grading_id, number) or b"{}"
    summaries = [summary(orjson.loads(documents[n])) for n in [0, *numbers]]
    return GradingView(grading_id, wanted, latest, documents[wanted], summaries)


async def load_transcript(results: ResultStore, grading_id: str) -> ParsedTranscript | None:
    stored = await results.load_transcript(grading_id)
    return ParsedTranscript.model_validate_json(stored) if stored is not None else None


async def rubric_document(pipeline: GradingPipeline, result: dict[str, Any]) -> dict[str, Any] | None:
    """The graded rubric version (cached for good: versions never change); None while
    rubric_management cannot answer."""
    try:
        fetched = await pipeline.rubrics.get(result["rubric_id"], result["rubric_version"])
    except DownstreamError as exc:
        log.warning("rubric %s unavailable: %s", result["rubric_id"], exc.message)
        return None
    return orjson.loads(fetched.raw)


async def load_rubric(pipeline: GradingPipeline, result: dict[str, Any]) -> Rubric:
    document = await rubric_document(pipeline, result)
    if document is None:
        raise Unavailable("service_unavailable", "rubric_management is unavailable, so the review cannot be "
                          "rescored; nothing was stored.", {"service": "rubric_management"})
    return Rubric.model_validate(document)
