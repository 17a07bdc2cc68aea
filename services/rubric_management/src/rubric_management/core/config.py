"""Settings of the rubric management service (environment prefix ``MEDGRADE_RUBRICS_``)."""

from __future__ import annotations

from functools import lru_cache

from medgrade_shared.settings import ServiceSettings, StoreSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class RubricSettings(ServiceSettings, StoreSettings):
    model_config = SettingsConfigDict(env_prefix="MEDGRADE_RUBRICS_", extra="ignore")

    port: int = Field(default=8001, ge=1, le=65535)
    seed_examples: bool = Field(default=True, description="Store the packaged example rubrics at startup.")


@lru_cache
def get_settings() -> RubricSettings:
    return RubricSettings()
