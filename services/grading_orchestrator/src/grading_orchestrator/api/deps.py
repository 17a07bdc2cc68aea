"""Dependencies: the long-lived objects the lifespan put on ``app.state``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from grading_orchestrator.batch_runner import BatchRunner
from grading_orchestrator.core.config import OrchestratorSettings, get_settings
from grading_orchestrator.pipeline import GradingPipeline
from grading_orchestrator.results import ResultStore
from grading_orchestrator.status import StatusChecker
from medgrade_shared.api_keys import ApiKeyStore


def _pipeline(request: Request) -> GradingPipeline:
    return request.app.state.pipeline


def _results(request: Request) -> ResultStore:
    return request.app.state.results


def _status(request: Request) -> StatusChecker:
    return request.app.state.status_checker


def _api_keys(request: Request) -> ApiKeyStore:
    return request.app.state.api_keys


PipelineDep = Annotated[GradingPipeline, Depends(_pipeline)]
ResultsDep = Annotated[ResultStore, Depends(_results)]
StatusDep = Annotated[StatusChecker, Depends(_status)]
ApiKeysDep = Annotated[ApiKeyStore, Depends(_api_keys)]


def _batches(request: Request) -> BatchRunner:
    return request.app.state.batches


BatchesDep = Annotated[BatchRunner, Depends(_batches)]
SettingsDep = Annotated[OrchestratorSettings, Depends(get_settings)]
