"""Warnings that travel with a parse and a grading: why a result may not be what it seems."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class GradingWarning(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str = Field(pattern=r"^[a-z_]{1,64}$", description="Stable machine-readable reason, e.g. `monologue`.",
                      examples=["monologue"])
    message: str = Field(description="What happened and what it means for the grade, for a teacher.")
    utterances: list[int] = Field(default_factory=list, description="Indices of the utterances it concerns, if any.")
