"""``GET /services/status``: is every part of the suite up, and how fast does it answer."""

from __future__ import annotations

from fastapi import APIRouter

from grading_orchestrator.api.deps import StatusDep

router = APIRouter(prefix="/services", tags=["ops"])


@router.get("/status", summary="Status of every service of the suite")
async def services_status(checker: StatusDep) -> dict:
    """Whether each service answers `GET /health` (`up` or `down`) and how fast; `status` is
    `degraded` when one is down."""
    return await checker.check()
