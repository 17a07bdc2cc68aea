"""``GET /rubrics/{rubric_id}/review-stats``: what teachers overrode in gradings of a rubric.

The orchestrator serves it (it owns the gradings); the gateway routes this one path under
``/rubrics`` here rather than to rubric_management. It needs the ``rubrics:read`` scope, like
reading the rubric."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Path

from grading_orchestrator.api.deps import ResultsDep
from grading_orchestrator.review_stats import review_stats
from medgrade_shared.models.errors import ErrorEnvelope
from medgrade_shared.models.review import ReviewStats
from medgrade_shared.models.rubric import RubricId

router = APIRouter(prefix="/rubrics", tags=["review"])


@router.get("/{rubric_id}/review-stats", summary="Overrides teachers made per rubric question and direction",
            response_model=ReviewStats, responses={code: {"model": ErrorEnvelope} for code in (401, 403, 422)})
async def get_review_stats(rubric_id: Annotated[RubricId, Path(description="The rubric, e.g. `stroke_v1`.")],
                           results: ResultsDep) -> dict[str, Any]:
    """Counts every override of every review of a grading of the rubric (each revision counts
    only its own review's changes), most frequent first: `item` is `<kind>:<id>` (e.g.
    `key_question:anticoagulants`), `direction` is `added` (the teacher found asked, stated or
    present what the machine did not), `removed` (the reverse), `raised` / `lowered` (a component
    score) or `unchanged`. A rubric nobody reviewed has no overrides. It reads the stored
    revisions, so its cost grows with the store; the live counter is
    `grading_review_overrides_total`."""
    return await asyncio.to_thread(review_stats, results.store, rubric_id)
