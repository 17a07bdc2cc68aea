"""The rubric management service: app factory and entry point."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from medgrade_shared.internal_auth import require_internal_token
from medgrade_shared.service import create_service_app, error_response, serve
from medgrade_shared.store import StoreError, open_store
from rubric_management.api.routes import edits, lifecycle, rubrics, transfer
from rubric_management.core.config import RubricSettings, get_settings
from rubric_management.repository import RubricRepository, UnreadableVersion
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

    @app.exception_handler(UnreadableVersion)
    async def _unreadable(_: Request, exc: UnreadableVersion) -> JSONResponse:
        return error_response(500, "rubric_unreadable",
                              f"Version {exc.version} of rubric {exc.rubric_id!r} is damaged in the store and cannot "
                              "be read; other rubrics are not affected. Ask an administrator to remove it "
                              f"('python -m rubric_management.store_cli remove --rubric {exc.rubric_id} "
                              f"--version {exc.version}').",
                              {"rubric_id": exc.rubric_id, "version": exc.version, "problem": exc.problem})

    for module in (rubrics, edits, lifecycle, transfer):
        app.include_router(module.router)
    return app


def run() -> None:
    serve(SERVICE, "rubric_management.main:create_app", get_settings())
