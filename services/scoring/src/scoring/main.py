"""The scoring service app factory and its command-line entry point.

The sentence-embedding model loads in the background when the app starts (lifespan), and embeds
the history-taking thesaurus (:mod:`scoring.semantic.thesaurus`): ``/health`` answers at once,
``/ready`` reports ``model: false`` (503) until both are done. A
``/score/key_questions`` request that arrives meanwhile waits up to ``model_wait_s`` (default
8 s) for the load, then answers 503 ``model_not_ready``; if loading failed it answers that at
once, for good: there is no fallback to another matcher.

The service runs one worker process per CPU by default (setting ``workers``;
:mod:`medgrade_shared.workers`): each loads its own model, and ``/ready`` answers for the worker
that takes the request. Within a worker, scoring requests run on ``request_threads`` threads (default
2): the model encodes one chunk at a time, and the framework's 40 threads under a burst only
competed for the interpreter and kept more memory (``evaluation/key_questions/README.md``).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from medgrade_shared.internal_auth import require_internal_token
from medgrade_shared.models.rubric import SUBMISSION_KINDS
from medgrade_shared.patterns import PatternError, compile_pattern
from medgrade_shared.service import create_service_app, serve
from medgrade_shared.workers import all_workers_ready, mark_ready, resolve_workers
from scoring.api.model_slot import ModelSlot
from scoring.api.routes.score import router as score_router
from scoring.core.config import ScoringSettings, get_settings
from scoring.semantic.index import phrase_index
from scoring.semantic.model import Encoder, load_encoder

SERVICE = "scoring"
log = logging.getLogger("medgrade.scoring")


async def _readiness(app: FastAPI) -> dict[str, bool]:
    """The RE2 engine that runs rubric patterns, and the sentence-embedding model, loaded in this
    worker and in every other (a request may reach any of them)."""
    try:
        compile_pattern(r"\bready\b")
        re2_ok = True
    except PatternError:
        re2_ok = False
    return {"re2": re2_ok, "model": app.state.model.encoder is not None, "workers": all_workers_ready()}


def _lifespan(loader: Callable[[], Encoder],
              request_threads: int) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        slot: ModelSlot = app.state.model
        # the scoring routes are plain functions, run in this process's request thread pool
        anyio.to_thread.current_default_thread_limiter().total_tokens = request_threads

        async def load() -> None:
            try:
                encoder = await asyncio.to_thread(loader)
                for kind in SUBMISSION_KINDS:  # the thesaurus, before the first grading
                    await asyncio.to_thread(phrase_index.topics, encoder, kind)
                slot.settle(encoder)
                mark_ready()
                log.info("sentence-embedding model loaded", extra={"model_version": encoder.version})
            except Exception as exc:  # any failure leaves the service not ready, with the reason
                slot.settle(None, f"{type(exc).__name__}: {exc}")
                log.error("sentence-embedding model failed to load", exc_info=exc)

        task = asyncio.create_task(load())
        yield
        task.cancel()

    return lifespan


def create_app(settings: ScoringSettings | None = None,
               encoder_loader: Callable[[], Encoder] | None = None) -> FastAPI:
    """``encoder_loader`` replaces the model in tests; by default the settings' precision is used."""
    settings = settings or get_settings()
    loader = encoder_loader or functools.partial(load_encoder, settings.precision, settings.vector_cache)
    app = create_service_app(service=SERVICE, title="MedGrade scoring",
                             lifespan=_lifespan(loader, settings.request_threads),
                             readiness=_readiness, max_body_bytes=settings.max_body_bytes,
                             internal_token=require_internal_token(settings.internal_token, SERVICE))
    app.dependency_overrides[get_settings] = lambda: settings
    app.state.model = ModelSlot()
    app.include_router(score_router)
    return app


def run() -> None:
    settings = get_settings()
    serve(SERVICE, "scoring.main:create_app", settings, workers=resolve_workers(settings.workers))
