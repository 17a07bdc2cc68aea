"""``GET /gradings``: gradings listed and filtered; ``GET /gradings/{grading_id}``: a stored grading
result, as JSON or as its HTML report."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Annotated

import orjson
from fastapi import APIRouter, Header, Path, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from grading_orchestrator.api.deps import PipelineDep, ResultsDep
from grading_orchestrator.api.docs import GRADING_RESPONSE
from grading_orchestrator.listings import Filters
from grading_orchestrator.report import CONTENT_SECURITY_POLICY, build_report, render_report
from grading_orchestrator.views import latest_view, load_transcript, rubric_document
from medgrade_shared.models.errors import ErrorEnvelope
from medgrade_shared.models.grading import GradingPage, GradingSummary, StudentId
from medgrade_shared.models.rubric import RubricId

log = logging.getLogger(__name__)

router = APIRouter(prefix="/gradings", tags=["grading"])

GradingId = Annotated[str, Path(description="The `grading_id` of a grading.")]
Revision = Annotated[int | None, Query(ge=0, description=(
    "A revision: 0 is the machine's grading exactly as stored; without it, the latest (a teacher's review, if any)."))]
# The gateway adds the same headers; these hold where the orchestrator is reached directly.
REPORT_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff",
                  "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


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


BatchIdQuery = Annotated[str | None, Query(pattern=r"^[0-9a-f]{32}$", description="Only the gradings of this batch.")]
Cursor = Annotated[str | None, Query(max_length=400, pattern=r"^grading-index/[A-Za-z0-9._/-]+$", description=(
    "The `next_cursor` of the page before."))]


@router.get("", summary="List gradings", response_model=GradingPage, responses={422: {"model": ErrorEnvelope}})
async def list_gradings(
    results: ResultsDep,
    student_id: Annotated[StudentId | None, Query(description="Only this student's gradings.")] = None,
    rubric_id: Annotated[RubricId | None, Query(description="Only the gradings against this rubric.")] = None,
    batch_id: BatchIdQuery = None,
    needs_review: Annotated[bool | None, Query(description="Only those that need (true) or do not need (false) "
                                                           "a teacher's review.")] = None,
    since: Annotated[datetime | None, Query(description="Only those graded at or after this time (ISO 8601; "
                                                        "without a zone, UTC).")] = None,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=200, description="At most this many.")] = 50,
) -> GradingPage:
    """Gradings, newest first, filtered, a page at a time, served from small index objects
    written beside each grading (never by reading every grading). Gradings stored before the
    index existed are not listed."""
    filters = Filters(student_id, rubric_id, batch_id, needs_review, since)
    items, next_cursor = await results.index.page(filters, cursor, limit)
    return GradingPage(items=[GradingSummary.model_validate(item) for item in items], next_cursor=next_cursor)


@router.get("/{grading_id}", summary="A stored grading",
            responses={200: GRADING_RESPONSE, 303: {"description": (
                "`Accept` prefers `text/html` (a browser): see `Location`, the grading's report.")},
                404: {"model": ErrorEnvelope}})
async def get_grading(grading_id: GradingId, results: ResultsDep, revision: Revision = None,
                      accept: Annotated[str, Header(description=(
                          "`text/html` ranked above `application/json` redirects (303) to the HTML report; "
                          "anything else gets the JSON."))] = "") -> Response:
    """The latest revision of the grading: exactly as `POST /grade` answered it until a teacher
    reviews it; after a review, the teacher's revision with `reviewed: true`, `review` (who,
    when, why, what changed) and `revisions` (a summary of each). `?revision=0` is the machine's
    grading byte for byte, `?revision=n` any other. `ETag` names the revision served: send it as
    `If-Match` with a review. 404 for an unknown id or revision. A browser (an `Accept` that
    prefers `text/html`) is sent on to `GET /gradings/{grading_id}/report`."""
    view = await latest_view(results, grading_id, revision)
    if prefers_html(accept):
        query = "" if revision is None else f"?revision={revision}"
        return RedirectResponse(f"/gradings/{grading_id}/report{query}", status_code=303, headers={"Vary": "Accept"})
    return Response(content=view.body(), media_type="application/json",
                    headers={"Vary": "Accept", "ETag": view.etag})


@router.get("/{grading_id}/report", summary="A stored grading as an HTML report", response_class=HTMLResponse,
            responses={200: {"description": "The report: one self-contained HTML page.",
                             "content": {"text/html": {"example": "<!DOCTYPE html>\n<html lang=\"en\">…</html>"}}},
                       # No model here: it would be documented as text/html, the route's type.
                       404: {"description": "No grading with that id (the JSON error envelope)."}})
async def get_report(grading_id: GradingId, results: ResultsDep, pipeline: PipelineDep,
                     revision: Revision = None) -> HTMLResponse:
    """The grading for a teacher, one page that needs nothing else (no script, font or style
    from anywhere; a strict `Content-Security-Policy`): whether it needs review and why, the
    overall and component scores, every key question, reasoning link, summary element and
    behaviour with the line that shows it, the feedback with the most severe first, and the
    transcript with the cited lines marked (gradings stored before the transcript was kept say
    so). A reviewed grading shows the latest revision (or `?revision=n`) with who reviewed it,
    when and why, and the items the teacher changed marked. The browser's print makes a clean
    PDF of it. 404 for an unknown id or revision."""
    result = orjson.loads((await latest_view(results, grading_id, revision)).body())
    transcript = await load_transcript(results, grading_id)
    rubric = await rubric_document(pipeline, result)
    page = await asyncio.to_thread(lambda: render_report(build_report(result, transcript, rubric)))
    return HTMLResponse(page, headers=REPORT_HEADERS)

