"""Settings base classes. Each service subclasses one with its own env prefix and serves it
through a cached ``get_settings()`` dependency; nothing is read at import time."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MULTIPART_FRAMING_BYTES = 16 * 1024
"""Room for the multipart boundaries and part headers around an uploaded file: a body limit for
uploads is the file limit plus this."""


ANY_SERVICE_HOST = "MEDGRADE_HOST"
"""The listening address of every service that does not set its own: the one image serves any of
the four, so it cannot name a service's prefixed variable."""

ANY_SERVICE_STORE_PATH = "MEDGRADE_STORE_PATH"
"""Likewise the local store's folder of every service that keeps state and does not set its own."""


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEDGRADE_", extra="ignore")

    host: str = Field(
        default_factory=lambda: os.environ.get(ANY_SERVICE_HOST, "127.0.0.1"),
        description=f"The listening address; when the service's own <prefix>HOST is unset, {ANY_SERVICE_HOST} "
                    "(the image sets it to 0.0.0.0), else loopback only.")
    port: int = Field(ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    internal_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("internal_token", "MEDGRADE_INTERNAL_TOKEN"),
        description="The suite's internal credential (MEDGRADE_INTERNAL_TOKEN, one value for every service and "
                    "the gateway; no service prefix): the internal services answer only callers presenting it, "
                    "the orchestrator sends it. No default: a service refuses to start without it.")

    @field_validator("internal_token")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and 0 < len(value.get_secret_value()) < 32:
            raise ValueError("the internal token must have at least 32 characters (secrets.token_urlsafe(32))")
        return value or None


class StoreSettings(BaseSettings):
    """Where state lives: a local folder (default, embedded) or an S3 bucket."""

    store_backend: Literal["local", "s3"] = "local"
    store_path: Path = Field(
        default_factory=lambda: Path(os.environ.get(ANY_SERVICE_STORE_PATH, "var/store")),
        description=f"The local store's folder; when the service's own <prefix>STORE_PATH is unset, "
                    f"{ANY_SERVICE_STORE_PATH} (the image sets it to /data/store), else var/store.")
    s3_bucket: str | None = None
    s3_prefix: str = ""
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"


class DownstreamSettings(BaseSettings):
    """Timeouts and retries for calls to another service."""

    connect_timeout_s: float = Field(default=1.0, gt=0)
    read_timeout_s: float = Field(default=10.0, gt=0)
    retry_attempts: int = Field(default=3, ge=1, le=10)
    retry_backoff_max_s: float = Field(default=0.5, gt=0)
    max_connections: int = Field(default=64, ge=1)
