"""Scoring settings, read from ``MEDGRADE_SCORING_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from medgrade_shared.settings import ServiceSettings
from scoring.semantic.model import Precision


class ScoringSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MEDGRADE_SCORING_", extra="ignore")

    port: int = 8003
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


@lru_cache
def get_settings() -> ScoringSettings:
    return ScoringSettings()
