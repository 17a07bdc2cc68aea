"""App factory and the process entry point (``medgrade-document-parser``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from document_parser.api.routes import parse
from document_parser.core.config import ParserSettings, get_settings
from document_parser.isolation import IsolatedParser
from medgrade_shared.internal_auth import require_internal_token
from medgrade_shared.service import create_service_app, serve

SERVICE = "document_parser"


async def _readiness(_: FastAPI) -> dict[str, bool]:
    """The parser has no dependencies: ready as soon as it serves."""
    return {"parser": True}


def _lifespan(settings: ParserSettings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.isolated = IsolatedParser(settings.upload_workers, settings.upload_memory_mb,
                                            settings.upload_seconds, settings.upload_recycle_after)
        try:
            yield
        finally:
            app.state.isolated.close()

    return lifespan


def create_app(settings: ParserSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = create_service_app(service=SERVICE, title="MedGrade document parser", lifespan=_lifespan(settings),
                             readiness=_readiness,
                             max_body_bytes=settings.max_body_bytes,
                             internal_token=require_internal_token(settings.internal_token, SERVICE))
    app.dependency_overrides[get_settings] = lambda: settings
    app.include_router(parse.router)
    return app


def run() -> None:
    serve(SERVICE, "document_parser.main:create_app", get_settings())
