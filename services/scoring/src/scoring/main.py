"""The scoring service app factory and its command-line entry point."""

from __future__ import annotations

from fastapi import FastAPI
from medgrade_shared.patterns import PatternError, compile_pattern
from medgrade_shared.service import create_service_app, serve

from scoring.api.routes.score import router as score_router
from scoring.core.config import ScoringSettings, get_settings

SERVICE = "scoring"


async def _readiness(_: FastAPI) -> dict[str, bool]:
    """Scoring is stateless; its one dependency is the RE2 engine that runs rubric patterns."""
    try:
        compile_pattern(r"\bready\b")
    except PatternError:
        return {"re2": False}
    return {"re2": True}


def create_app(settings: ScoringSettings | None = None) -> FastAPI:
    app = create_service_app(service=SERVICE, title="MedGrade scoring", lifespan=None, readiness=_readiness)
    app.state.settings = settings or get_settings()
    app.include_router(score_router)
    return app


def run() -> None:
    serve(SERVICE, "scoring.main:create_app", get_settings())
