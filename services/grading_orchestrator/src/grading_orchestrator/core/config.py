"""Orchestrator settings (env prefix ``MEDGRADE_ORCHESTRATOR_``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from medgrade_shared.registry import ORCHESTRATOR, PARSER, RUBRICS, SCORING
from medgrade_shared.settings import DownstreamSettings, ServiceSettings, StoreSettings


class OrchestratorSettings(ServiceSettings, StoreSettings, DownstreamSettings):
    model_config = SettingsConfigDict(env_prefix=ORCHESTRATOR.env_prefix, extra="ignore")

    port: int = Field(default=ORCHESTRATOR.default_port, ge=1, le=65535)
    max_body_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1024,
        description="Largest request body read (413 above; an upload may add its multipart framing), as at the "
                    "gateway.")
    # Named in medgrade_shared.registry.ORCHESTRATOR_UPSTREAMS, so scripts/suite.py can move them to a port base.
    rubric_service_url: str = RUBRICS.url()
    parser_service_url: str = PARSER.url()
    scoring_service_url: str = SCORING.url()
    grading_deadline_s: float = Field(
        default=25.0, gt=0, description="Whole-grading deadline; kept below nginx proxy_read_timeout (30 s)."
    )
    rubric_latest_ttl_s: float = Field(
        default=5.0, ge=0,
        description="How long 'latest version' lookups are cached; pinned versions are cached for good.",
    )
    rubric_cache_size: int = Field(default=256, ge=1)
    status_timeout_s: float = Field(default=2.0, gt=0)
    auth_required: bool = Field(
        default=True,
        description="Require an API key on the public routes; false only where nginx (which checks keys) or "
        "trusted internal callers are the only ones that can reach the orchestrator.",
    )
    api_keys_recheck_s: float = Field(
        default=5.0, ge=0, description="How long the S3 key file is trusted before its ETag is checked again."
    )


@lru_cache
def get_settings() -> OrchestratorSettings:
    return OrchestratorSettings()
