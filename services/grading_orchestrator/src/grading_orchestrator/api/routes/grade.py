"""``POST /grade``: grade one submission against a rubric version."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from grading_orchestrator.api.deps import PipelineDep
from medgrade_shared.models.errors import ErrorEnvelope
from medgrade_shared.models.grading import GradeRequest, GradingResult

router = APIRouter(prefix="/grade", tags=["grading"])

_ERRORS = {code: {"model": ErrorEnvelope} for code in (404, 413, 422, 502, 503, 504)}


@router.post("", responses={200: {"model": GradingResult}, **_ERRORS})
async def grade(request: GradeRequest, pipeline: PipelineDep) -> Response:
    document = await pipeline.grade(request)
    return Response(content=document, media_type="application/json")
