"""App factory and entry point of the grading orchestrator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import Depends, FastAPI

from grading_orchestrator.api.routes import auth as auth_routes
from grading_orchestrator.api.routes import batches, grade, grade_upload, gradings, review_stats, reviews, status
from grading_orchestrator.auth import require_scope
from grading_orchestrator.batch_queue import open_queue
from grading_orchestrator.batch_runner import BatchRunner
from grading_orchestrator.batch_store import BatchStore
from grading_orchestrator.clients.parser import ParserClient
from grading_orchestrator.clients.rubrics import RubricClient
from grading_orchestrator.clients.scoring import ScoringClient
from grading_orchestrator.core.config import OrchestratorSettings, get_settings
from grading_orchestrator.core.metrics import GradingMetrics
from grading_orchestrator.pipeline import GradingPipeline
from grading_orchestrator.results import ResultStore
from grading_orchestrator.status import StatusChecker
from medgrade_shared.api_keys import ApiKeyStore, open_key_file
from medgrade_shared.http_client import ServiceClient, make_async_client
from medgrade_shared.internal_auth import require_internal_token
from medgrade_shared.metrics import DownstreamMetrics
from medgrade_shared.service import create_service_app, serve
from medgrade_shared.store import StoreError, open_store


def create_app(
    settings: OrchestratorSettings | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """``transport`` replaces the network for downstream calls in unit tests."""
    settings = settings or get_settings()
    # It sends the internal credential on every downstream call; without one they would all be 401.
    internal_token = require_internal_token(settings.internal_token, "grading_orchestrator")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        downstream = DownstreamMetrics(app.state.registry)
        http = {
            "rubric_management": make_async_client(settings.rubric_service_url, settings, transport,
                                                   internal_token),
            "document_parser": make_async_client(settings.parser_service_url, settings, transport,
                                                   internal_token),
            "scoring": make_async_client(settings.scoring_service_url, settings, transport,
                                                   internal_token),
        }
        services = {name: ServiceClient(name, client, settings, downstream) for name, client in http.items()}
        app.state.store = open_store(settings)
        app.state.results = ResultStore(app.state.store)
        app.state.api_keys = ApiKeyStore(open_key_file(settings, settings.api_keys_recheck_s))
        app.state.pipeline = GradingPipeline(
            rubrics=RubricClient(services["rubric_management"], latest_ttl_s=settings.rubric_latest_ttl_s,
                                 max_entries=settings.rubric_cache_size),
            parser=ParserClient(services["document_parser"]),
            scoring=ScoringClient(services["scoring"]),
            results=app.state.results,
            metrics=GradingMetrics(app.state.registry),
            deadline_s=settings.grading_deadline_s,
        )
        app.state.status_checker = StatusChecker(http, settings.status_timeout_s)
        app.state.batches = BatchRunner(BatchStore(app.state.store), open_queue(settings), app.state.pipeline,
                                        concurrency=0 if settings.role == "api" else settings.batch_concurrency,
                                        attempts=settings.batch_item_attempts,
                                        backoff_s=settings.batch_retry_backoff_s,
                                        max_receives=settings.batch_max_receives)
        await app.state.batches.start()
        try:
            yield
        finally:
            await app.state.batches.stop()
            for client in http.values():
                await client.aclose()

    async def readiness(app: FastAPI) -> dict[str, bool]:
        try:
            app.state.store.check()
        except StoreError:
            return {"store": False}
        return {"store": True}

    app = create_service_app(service="grading_orchestrator", title="MedGrade grading API",
                             lifespan=lifespan, readiness=readiness, max_body_bytes=settings.max_body_bytes,
                             large_bodies={"/batches": settings.batch_max_zip_bytes})
    app.dependency_overrides[get_settings] = lambda: settings
    if settings.role == "worker":  # grades batch items only: no public route
        return app
    keyed = [Depends(require_scope("grade"))] if settings.auth_required else []
    for module in (grade, grade_upload, gradings, batches, status):
        app.include_router(module.router, dependencies=keyed)
    app.include_router(reviews.router)  # its route checks the `review` scope itself (the reviewer's name)
    app.include_router(review_stats.router,
                       dependencies=[Depends(require_scope("rubrics:read"))] if settings.auth_required else [])
    app.include_router(auth_routes.router)
    return app


def run() -> None:
    serve("grading_orchestrator", "grading_orchestrator.main:create_app", get_settings())
