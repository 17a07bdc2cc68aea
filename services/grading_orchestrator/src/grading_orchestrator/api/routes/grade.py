"""``POST /grade``: grade one submission against a rubric version."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from fastapi.responses import Response

from grading_orchestrator.api.deps import PipelineDep
from grading_orchestrator.api.docs import GRADE_REQUEST_EXAMPLE, GRADING_RESPONSE
from medgrade_shared.models.errors import ErrorEnvelope
from medgrade_shared.models.grading import GradeRequest

router = APIRouter(prefix="/grade", tags=["grading"])

_ERRORS = {code: {"model": ErrorEnvelope} for code in (404, 413, 422, 502, 503, 504)}


@router.post("", summary="Grade a transcript against a rubric", responses={200: GRADING_RESPONSE, **_ERRORS})
async def grade(
    request: Annotated[GradeRequest, Body(openapi_examples={"stroke": {
        "summary": "A stroke history (samples/stroke_interview.txt)", "value": GRADE_REQUEST_EXAMPLE}})],
    pipeline: PipelineDep,
) -> Response:
    """Fetches the rubric version (`rubric_version`, else the highest approved one), parses the
    transcript, scores the weighted components concurrently, aggregates them and stores the
    result, which `GET /gradings/{grading_id}` serves again. The same transcript and rubric
    version always get the same grade.

    Errors use the JSON envelope, and none stores anything (there is no partial grade): 404 for
    an unknown rubric or version (naming the closest ids, or the versions there are), 422 for a
    request or a rubric that does not validate (each field named), 413 for a transcript the
    parser finds too large, 502 when a service answers with an error, 503 naming the service
    that stays unavailable after retries (or the store), 504 past the grading deadline
    (`MEDGRADE_ORCHESTRATOR_GRADING_DEADLINE_S`)."""
    document = await pipeline.grade(request)
    return Response(content=document, media_type="application/json")
