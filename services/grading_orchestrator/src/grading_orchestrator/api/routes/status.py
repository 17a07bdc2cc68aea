"""``GET /services/status``: is every part of the suite up, and how fast does it answer."""

from __future__ import annotations

from fastapi import APIRouter

from grading_orchestrator.api.deps import StatusDep

router = APIRouter(prefix="/services", tags=["ops"])


@router.get("/status")
async def services_status(checker: StatusDep) -> dict:
    return await checker.check()
