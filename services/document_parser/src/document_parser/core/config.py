"""Settings, from ``MEDGRADE_PARSER_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from medgrade_shared.settings import ServiceSettings


class ParserSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MEDGRADE_PARSER_", extra="ignore")

    port: int = Field(default=8002, ge=1, le=65535)
    max_chars: int = Field(default=10_000_000, ge=1, description="Longest transcript accepted, in characters.")
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1, description="Largest file accepted by /parse/upload.")


@lru_cache
def get_settings() -> ParserSettings:
    return ParserSettings()
