"""``GET /gradings/{grading_id}``: a stored grading result, as JSON or as its HTML report."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Header, Path
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from grading_orchestrator.api.deps import PipelineDep, ResultsDep
from grading_orchestrator.api.docs import GRADING_RESPONSE
from grading_orchestrator.pipeline import GradingPipeline
from grading_orchestrator.report import CONTENT_SECURITY_POLICY, build_report, render_report
from grading_orchestrator.results import ResultStore
from medgrade_shared.errors import ApiError
from medgrade_shared.http_client import DownstreamError
from medgrade_shared.models.errors import ErrorEnvelope
from medgrade_shared.models.transcript import ParsedTranscript

log = logging.getLogger(__name__)

router = APIRouter(prefix="/gradings", tags=["grading"])

GradingId = Annotated[str, Path(description="The `grading_id` of a grading.")]
# The gateway adds the same headers; these hold where the orchestrator is reached directly.
REPORT_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff",
                  "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


async def _load(results: ResultStore, grading_id: str) -> bytes:
    document = await results.load(grading_id)
    if document is None:
        raise ApiError(404, "grading_not_found", f"no grading with id {grading_id!r}")
    return document


def prefers_html(accept: str) -> bool:
    """True when ``Accept`` ranks ``text/html`` above ``application/json`` (a browser's
    ``text/html,…,*/*;q=0.8``); no header, ``*/*`` or a tie keep the JSON."""
    ranges: dict[str, float] = {}
    for part in accept.lower().split(","):
        media, *params = (item.strip() for item in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges[media] = max(q, ranges.get(media, 0.0))

    def quality(media: str) -> float:
        kind = media.split("/")[0]
        for candidate in (media, f"{kind}/*", "*/*"):
            if candidate in ranges:
                return ranges[candidate]
        return 0.0

    return quality("text/html") > quality("application/json")


@router.get("/{grading_id}", summary="A stored grading",
            responses={200: GRADING_RESPONSE, 303: {"description": (
                "`Accept` prefers `text/html` (a browser): see `Location`, the grading's report.")},
                404: {"model": ErrorEnvelope}})
async def get_grading(grading_id: GradingId, results: ResultsDep,
                      accept: Annotated[str, Header(description=(
                          "`text/html` ranked above `application/json` redirects (303) to the HTML report; "
                          "anything else gets the JSON."))] = "") -> Response:
    """The grading exactly as `POST /grade` answered it; 404 for an unknown id. A browser (an
    `Accept` that prefers `text/html`) is sent on to `GET /gradings/{grading_id}/report`."""
    document = await _load(results, grading_id)
    if prefers_html(accept):
        return RedirectResponse(f"/gradings/{grading_id}/report", status_code=303, headers={"Vary": "Accept"})
    return Response(content=document, media_type="application/json", headers={"Vary": "Accept"})


@router.get("/{grading_id}/report", summary="A stored grading as an HTML report", response_class=HTMLResponse,
            responses={200: {"description": "The report: one self-contained HTML page.",
                             "content": {"text/html": {"example": "<!DOCTYPE html>\n<html lang=\"en\">…</html>"}}},
                       # No model here: it would be documented as text/html, the route's type.
                       404: {"description": "No grading with that id (the JSON error envelope)."}})
async def get_report(grading_id: GradingId, results: ResultsDep, pipeline: PipelineDep) -> HTMLResponse:
    """The grading for a teacher, one page that needs nothing else (no script, font or style
    from anywhere; a strict `Content-Security-Policy`): whether it needs review and why, the
    overall and component scores, every key question, reasoning link, summary element and
    behaviour with the line that shows it, the feedback with the most severe first, and the
    transcript with the cited lines marked (gradings stored before the transcript was kept say
    so). The browser's print makes a clean PDF of it. 404 for an unknown id."""
    result = orjson.loads(await _load(results, grading_id))
    stored = await results.load_transcript(grading_id)
    transcript = ParsedTranscript.model_validate_json(stored) if stored is not None else None
    rubric = await _rubric(pipeline, result)
    page = await asyncio.to_thread(lambda: render_report(build_report(result, transcript, rubric)))
    return HTMLResponse(page, headers=REPORT_HEADERS)


async def _rubric(pipeline: GradingPipeline, result: dict[str, Any]) -> dict[str, Any] | None:
    """The graded rubric version (cached for good: versions never change), for the labels of
    its links and summary elements; None while rubric_management cannot answer."""
    try:
        fetched = await pipeline.rubrics.get(result["rubric_id"], result["rubric_version"])
    except DownstreamError as exc:
        log.warning("report without rubric labels: %s", exc.message)
        return None
    return orjson.loads(fetched.raw)
