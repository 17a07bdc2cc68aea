"""Scoring endpoints. Plain ``def`` handlers: FastAPI runs them in its thread pool, so the CPU
work of matching never blocks the event loop that answers ``/health``."""

from __future__ import annotations

from fastapi import APIRouter
from medgrade_shared.models.scoring import AggregateRequest, AggregateResult, ComponentResult, ScoreRequest

from scoring.evaluators.aggregate import aggregate
from scoring.evaluators.communication import score_communication
from scoring.evaluators.key_questions import score_key_questions
from scoring.evaluators.reasoning import score_reasoning
from scoring.evaluators.structure import score_structure
from scoring.evaluators.summary import score_summary

router = APIRouter(prefix="/score", tags=["score"])


@router.post("/structure", response_model=ComponentResult)
def structure(request: ScoreRequest) -> ComponentResult:
    return score_structure(request.rubric, request.parsed)


@router.post("/key_questions", response_model=ComponentResult)
def key_questions(request: ScoreRequest) -> ComponentResult:
    return score_key_questions(request.rubric, request.parsed)


@router.post("/reasoning", response_model=ComponentResult)
def reasoning(request: ScoreRequest) -> ComponentResult:
    return score_reasoning(request.rubric, request.parsed)


@router.post("/summary", response_model=ComponentResult)
def summary(request: ScoreRequest) -> ComponentResult:
    return score_summary(request.rubric, request.parsed)


@router.post("/communication", response_model=ComponentResult)
def communication(request: ScoreRequest) -> ComponentResult:
    return score_communication(request.rubric, request.parsed)


@router.post("/aggregate", response_model=AggregateResult)
def aggregate_components(request: AggregateRequest) -> AggregateResult:
    return aggregate(request.rubric, request.components)
