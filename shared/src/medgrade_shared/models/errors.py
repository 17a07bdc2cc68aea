"""The one JSON error envelope every service (and nginx) returns for 4xx/5xx."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    code: str = Field(description="Stable machine-readable reason, e.g. `invalid_request`, `not_found`.")
    message: str = Field(description="What went wrong and what to do, for people.")
    details: Any = Field(default=None, description="More about it where there is more, e.g. one entry per invalid "
                                                   "field (`field`, `loc`, `msg`, `type`).")
    request_id: str | None = Field(default=None, description="The request's `X-Request-ID`, to find it in the logs.")


class ErrorEnvelope(BaseModel):
    error: ErrorBody = Field(description="The error.")
