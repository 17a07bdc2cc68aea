"""``POST /gradings/{grading_id}/reviews``: a teacher's review makes a new revision."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Body, Depends, Header, Path
from fastapi.responses import Response

from grading_orchestrator.api.deps import PipelineDep, ResultsDep
from grading_orchestrator.auth import reviewer
from grading_orchestrator.revisions import apply_review, direction, etag
from grading_orchestrator.views import latest_view, load_rubric, load_transcript
from medgrade_shared.errors import ApiError
from medgrade_shared.models.errors import ErrorEnvelope
from medgrade_shared.models.grading import GradingResult
from medgrade_shared.models.review import ReviewRequest
from medgrade_shared.store import StoreError

router = APIRouter(prefix="/gradings", tags=["review"])

REVIEW_EXAMPLE = {
    "reason": "The student asked about anticoagulants at 01:40; the matcher missed it.",
    "overrides": [{"kind": "key_question", "id": "anticoagulants", "asked": True, "utterance_index": 14},
                  {"kind": "reasoning_link", "id": "fast_severity", "stated": False}],
}


@router.post("/{grading_id}/reviews", summary="Review a grading: override decisions, rescore",
             status_code=201,
             responses={201: {"model": GradingResult, "description": (
                 "The new revision, rescored; `ETag` is its tag for the next review.")},
                 **{code: {"model": ErrorEnvelope} for code in (401, 403, 404, 412, 422, 428, 503)}})
async def post_review(
    grading_id: Annotated[str, Path(description="The `grading_id` of a grading.")],
    review: Annotated[ReviewRequest, Body(openapi_examples={"missed_question": {
        "summary": "A key question the matcher missed", "value": REVIEW_EXAMPLE}})],
    results: ResultsDep, pipeline: PipelineDep, client_name: Annotated[str, Depends(reviewer)],
    if_match: Annotated[str | None, Header(description=(
        "The `ETag` of the grading as last read (`GET /gradings/{grading_id}`); required. A review based on an "
        "older revision is refused with 412, so concurrent reviewers never overwrite each other."))] = None,
) -> Response:
    """Needs the `review` scope. Applies the overrides to the latest revision: the decisions
    (key questions asked with the line that asks them, reasoning links stated, summary elements
    present) first, each rescored with the scoring formulas, then any component scores set; the
    overall is recomputed from the rubric's weights. The machine's grading (revision 0) is never
    changed. The reviewer (the key's client name), the time, the reason and each override's
    before and after are recorded in the new revision.

    Errors: 404 unknown grading; 428 without `If-Match`; 412 when `If-Match` is not the latest
    revision's `ETag` (someone reviewed since: read it again); 422 for an id the grading does not
    have, or an utterance that does not exist or is not the student's."""
    view = await latest_view(results, grading_id)
    if if_match is None:
        raise ApiError(428, "precondition_required", "Send If-Match with the ETag of the grading you reviewed "
                       f"(GET /gradings/{grading_id}), so that no one else's review is overwritten.",
                       {"etag": view.etag})
    # A compressing proxy may weaken the tag (W/"…"); the tag still names one revision.
    if view.etag not in [tag.strip().removeprefix("W/") for tag in if_match.split(",")]:
        raise _stale(grading_id, view.etag)
    base = orjson.loads(view.document)
    rubric = await load_rubric(pipeline, base)
    transcript = await load_transcript(results, grading_id)
    revision = view.revision + 1
    document = apply_review(base, review, rubric, transcript, revision=revision, reviewer=client_name)
    raw = orjson.dumps(document)
    try:
        written = await results.save_revision(grading_id, revision, raw)
    except (StoreError, OSError) as exc:
        raise ApiError(503, "store_unavailable", "the result store is unavailable; the review was not stored") from exc
    if not written:
        raise _stale(grading_id, etag(grading_id, revision))
    for change in document["review"]["changes"]:
        pipeline.metrics.review_overrides.labels(
            document["rubric_id"], f"{change['kind']}:{change['id']}", direction(change)).inc()
    answer = await latest_view(results, grading_id)
    return Response(answer.body(), status_code=201, media_type="application/json",
                    headers={"ETag": answer.etag, "Location": f"/gradings/{grading_id}?revision={revision}"})


def _stale(grading_id: str, current: str) -> ApiError:
    return ApiError(412, "stale_revision", "Someone reviewed this grading since you read it: read it again "
                    f"(GET /gradings/{grading_id}) and review the latest revision.", {"etag": current})
