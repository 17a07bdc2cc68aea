"""Settings of the rubric management service (environment prefix ``MEDGRADE_RUBRICS_``).

The store is chosen with ``MEDGRADE_RUBRICS_STORE_BACKEND`` (``local``, the default, or ``s3``);
S3 also reads ``MEDGRADE_RUBRICS_S3_BUCKET``, ``_S3_PREFIX``, ``_S3_ENDPOINT_URL`` and ``_S3_REGION``.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from medgrade_shared.registry import RUBRICS
from medgrade_shared.settings import ServiceSettings, StoreSettings


class RubricSettings(ServiceSettings, StoreSettings):
    model_config = SettingsConfigDict(env_prefix=RUBRICS.env_prefix, extra="ignore")

    port: int = Field(default=RUBRICS.default_port, ge=1, le=65535)
    seed_examples: bool = Field(default=True, description="Store the packaged example rubrics at startup.")
    max_body_bytes: int = Field(default=1 << 20, ge=1024,
                                description="Largest JSON body or imported file; larger ones are a 413.")
    edit_attempts: int = Field(default=32, ge=1, le=1000,
                               description="Version allocations an edit without If-Match tries before a 409.")


@lru_cache
def get_settings() -> RubricSettings:
    return RubricSettings()
