"""The rubric management service: app factory and entry point."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from medgrade_shared.internal_auth import require_internal_token
from medgrade_shared.service import create_service_app, serve
from medgrade_shared.store import StoreError, open_store
from rubric_management.api.routes import edits, lifecycle, rubrics, transfer
from rubric_management.core.config import RubricSettings, get_settings
from rubric_management.repository import RubricRepository
from rubric_management.seeding import seed_examples

SERVICE = "rubric_management"


async def _readiness(app: FastAPI) -> dict[str, bool]:
    repository: RubricRepository | None = getattr(app.state, "repository", None)
    if repository is None:
        return {"store": False}
    try:
        await run_in_threadpool(repository.store.check)
    except StoreError:
        return {"store": False}
    return {"store": True}


def create_app(settings: RubricSettings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        repository = RubricRepository(open_store(settings))
        if settings.seed_examples:
            await run_in_threadpool(seed_examples, repository)
        app.state.repository = repository
        yield

    app = create_service_app(service=SERVICE, title="MedGrade rubric management", lifespan=lifespan,
                             readiness=_readiness, max_body_bytes=settings.max_body_bytes,
                             internal_token=require_internal_token(settings.internal_token, SERVICE))
    app.dependency_overrides[get_settings] = lambda: settings

    for module in (rubrics, edits, lifecycle, transfer):
        app.include_router(module.router)
    return app


def run() -> None:
    serve(SERVICE, "rubric_management.main:create_app", get_settings())
