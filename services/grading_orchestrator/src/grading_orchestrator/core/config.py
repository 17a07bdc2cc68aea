"""Orchestrator settings (env prefix ``MEDGRADE_ORCHESTRATOR_``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator
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
    role: Literal["all", "api", "worker"] = Field(
        default="all",
        description="What this process does. all: serves the API and grades batch items (the default; the only "
                    "choice with the embedded queue); api: serves the API and queues batch items but grades none; "
                    "worker: grades batch items from the queue and serves only /health, /ready and /metrics. api "
                    "and worker need batch_queue_backend=sqs, so that any number of each share one queue.")
    # Batches (grading_orchestrator.batches): how fast they go, and where their queue is.
    batch_concurrency: int = Field(
        default=1, ge=1, le=64,
        description="Batch items graded at once by this process; the rest of the capacity stays with "
                    "interactive POST /grade (1 on 2 cores: benchmarks/bench_batch.py, README).")
    batch_item_attempts: int = Field(
        default=3, ge=1, le=10,
        description="Tries per batch item on a transient failure (503, 504) before it is recorded as failed.")
    batch_retry_backoff_s: float = Field(default=2.0, ge=0, description="Wait before retrying a batch item, "
                                                                          "doubled at each attempt.")
    batch_max_items: int = Field(default=1000, ge=1, description="Most items in one batch (422 above).")
    batch_max_zip_bytes: int = Field(default=200 * 1024 * 1024, ge=1024,
                                     description="Largest batch request body: a ZIP of transcripts (413 above); "
                                                 "as at the gateway.")
    batch_queue_backend: Literal["embedded", "sqs"] = Field(
        default="embedded",
        description="embedded: an in-process queue rebuilt from the store at start-up (one replica); sqs: an "
                    "Amazon SQS queue shared by every replica.")
    batch_queue_url: str | None = Field(default=None, description="The SQS queue's URL (batch_queue_backend=sqs).")
    batch_dead_letter_queue_url: str | None = Field(
        default=None, description="The SQS dead-letter queue's URL, where the queue's redrive policy moves a "
                                  "message received batch_max_receives times.")
    batch_max_receives: int = Field(default=5, ge=1, le=1000,
                                    description="Receives of one message before it goes to the dead letters.")
    batch_visibility_timeout_s: int = Field(
        default=180, ge=1, le=43200,
        description="How long a received item stays hidden from other workers; longer than the grading deadline "
                    "times the attempts, so an item is redelivered only when its worker is gone.")
    sqs_endpoint_url: str | None = Field(default=None, description="Another SQS endpoint (tests: a moto server).")
    sqs_region: str = "us-east-1"

    @model_validator(mode="after")
    def _queue_settings_fit(self) -> OrchestratorSettings:
        if self.batch_queue_backend == "sqs" and not self.batch_queue_url:
            raise ValueError("batch_queue_backend is sqs but batch_queue_url is not set")
        if self.role != "all" and self.batch_queue_backend != "sqs":
            raise ValueError(f"role {self.role} needs batch_queue_backend=sqs: with the embedded queue the process "
                             "that takes a batch is the only one that can grade it (role all)")
        if self.batch_visibility_timeout_s <= self.grading_deadline_s * self.batch_item_attempts:
            raise ValueError("batch_visibility_timeout_s must be longer than grading_deadline_s times "
                             "batch_item_attempts, or a slow item is handed to a second worker")
        return self


@lru_cache
def get_settings() -> OrchestratorSettings:
    return OrchestratorSettings()
