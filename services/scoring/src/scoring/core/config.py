"""Scoring settings, read from ``MEDGRADE_SCORING_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from medgrade_shared.registry import SCORING
from medgrade_shared.settings import ServiceSettings
from scoring.semantic.model import CACHE_ENTRIES, Precision


class ScoringSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix=SCORING.env_prefix, extra="ignore")

    port: int = Field(default=SCORING.default_port, ge=1, le=65535)
    max_body_bytes: int = Field(
        default=16 * 1024 * 1024, ge=1024,
        description="Largest request body read (413 above): a rubric and the parse of the longest transcript "
                    "the parser accepts.")
    max_sentences: int = Field(
        default=1_500, ge=1,
        description="Most interviewer sentences one request may ask scoring to match (413 above; a long "
                    "consultation has a few hundred): each is embedded and weighed against every key question.")
    model_wait_s: float = Field(
        default=8.0, ge=0, le=60,
        description="How long a key-question request that arrives while the model is still loading waits "
                    "for it before answering 503 model_not_ready (0: answer at once). Below the "
                    "orchestrator's read timeout, so its retries cover a cold start.")
    precision: Precision = Field(
        default="float32",
        description="The sentence-embedding model's ONNX graph: float32 (the reference embeddings) or int8 "
                    "(dynamically quantised: about twice as fast, embeddings within ~0.97 cosine). Recorded "
                    "in every result's model version.")
    vector_cache: int = Field(
        default=CACHE_ENTRIES, ge=0, le=1_000_000,
        description="Distinct texts whose sentence vectors each worker keeps (least recently used first out, "
                    "about 1.6 KiB each), so a consultation graded again is not encoded again (0: none; "
                    "benchmarks of first gradings set 0).")
    request_threads: int = Field(
        default=2, ge=1, le=64,
        description="Threads per worker that run scoring requests (the rest wait their turn, their deadline "
                    "still counting). The model encodes one chunk at a time, so more threads only compete "
                    "for the interpreter and leave malloc arenas behind: with 40 (the framework's default) a "
                    "32-way burst took longer and kept more memory.")
    workers: int = Field(
        default=0, ge=0, le=64,
        description="Worker processes, each with its own model and one math thread (0: one per CPU the "
                    "service may use, its container's CPU quota included). A grading's encoding is "
                    "compute-bound, so one process serves one core.")


@lru_cache
def get_settings() -> ScoringSettings:
    return ScoringSettings()
