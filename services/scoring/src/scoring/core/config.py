"""Scoring settings, read from ``MEDGRADE_SCORING_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache

from medgrade_shared.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class ScoringSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MEDGRADE_SCORING_", extra="ignore")

    port: int = 8003


@lru_cache
def get_settings() -> ScoringSettings:
    return ScoringSettings()
