"""``GET /gradings/{grading_id}``: a stored grading result."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from grading_orchestrator.api.deps import ResultsDep
from grading_orchestrator.api.docs import GRADING_RESPONSE
from medgrade_shared.errors import ApiError
from medgrade_shared.models.errors import ErrorEnvelope

router = APIRouter(prefix="/gradings", tags=["grading"])


@router.get("/{grading_id}", summary="A stored grading",
            responses={200: GRADING_RESPONSE, 404: {"model": ErrorEnvelope}})
async def get_grading(grading_id: Annotated[str, Path(description="The `grading_id` of a grading.")],
                      results: ResultsDep) -> Response:
    """The grading exactly as `POST /grade` answered it; 404 for an unknown id."""
    document = await results.load(grading_id)
    if document is None:
        raise ApiError(404, "grading_not_found", f"no grading with id {grading_id!r}")
    return Response(content=document, media_type="application/json")
