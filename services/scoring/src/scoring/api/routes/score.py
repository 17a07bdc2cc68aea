"""Scoring endpoints. Bodies are decoded and validated once (see ``medgrade_shared.json_body``);
the scorers run in the thread pool (plain ``def`` routes), so the CPU work of matching never
blocks the event loop that answers ``/health``. ``/score/key_questions`` also needs the loaded
sentence-embedding model: 503 ``model_not_ready`` until it has loaded.

Every component request is within budget first: at most ``max_sentences`` interviewer sentences
(413 ``too_many_sentences`` otherwise) and the caller's deadline not yet passed while it waited
for a worker thread (504 ``deadline_exceeded``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from medgrade_shared.deadline import check as check_deadline
from medgrade_shared.errors import ApiError
from medgrade_shared.examples import example, json_content
from medgrade_shared.json_body import body_schema, json_body, json_response
from medgrade_shared.models.errors import ErrorEnvelope
from medgrade_shared.models.scoring import AggregateRequest, AggregateResult, ComponentResult, ScoreRequest
from scoring.api.deps import SettingsDep
from scoring.api.model_slot import loaded_encoder
from scoring.evaluators.aggregate import aggregate
from scoring.evaluators.communication import score_communication
from scoring.evaluators.key_questions import score_key_questions
from scoring.evaluators.reasoning import score_reasoning
from scoring.evaluators.structure import score_structure
from scoring.evaluators.summary import score_summary
from scoring.semantic.model import Encoder
from scoring.semantic.sentences import interviewer_sentences

router = APIRouter(prefix="/score", tags=["score"])


def _within_budget(settings: SettingsDep,
                   body: Annotated[ScoreRequest, Depends(json_body(ScoreRequest))]) -> ScoreRequest:
    check_deadline("scoring (waiting for a worker)")
    limit = settings.max_sentences
    count = len(interviewer_sentences(body.parsed))
    if count > limit:
        raise ApiError(413, "too_many_sentences", f"The transcript has {count:,} interviewer sentences; scoring "
                       f"matches at most {limit:,} in one request.",
                       {"limit": limit, "setting": "MEDGRADE_SCORING_MAX_SENTENCES"})
    return body


ScoreBody = Annotated[ScoreRequest, Depends(_within_budget)]
LoadedEncoder = Annotated[Encoder, Depends(loaded_encoder)]
AggregateBody = Annotated[AggregateRequest, Depends(json_body(AggregateRequest))]
Scorer = Callable[[ScoreRequest], ComponentResult]

_ERRORS = {code: {"model": ErrorEnvelope} for code in (413, 422, 504)}
_SCORE_BODY = body_schema(ScoreRequest, {"rubric": example("rubric"), "parsed": example("parsed_transcript")})


def _scored(component: str) -> dict[str, Any]:
    """The 200 answer of ``/score/<component>``, with the example's result."""
    return {"model": ComponentResult, "content": json_content(example("component_results")[component])}


def _component_route(path: str, name: str, scorer: Scorer, summary: str) -> None:
    @router.post(path, response_class=Response, name=name, openapi_extra=_SCORE_BODY,
                 summary=summary, responses={200: _scored(path.removeprefix("/")), **_ERRORS})
    def score(request: ScoreBody) -> Response:
        return json_response(scorer(request))


# the section order, the links and the summary are scored alike for every kind of submission
for _path, _name, _scorer, _summary in (
        ("/structure", "score_structure", lambda r: score_structure(r.rubric, r.parsed), "Score the section order"),
        ("/reasoning", "score_reasoning", lambda r: score_reasoning(r.rubric, r.parsed),
         "Score the reasoning links stated"),
        ("/summary", "score_summary", lambda r: score_summary(r.rubric, r.parsed), "Score the closing summary"),
        ("/communication", "score_communication", lambda r: score_communication(r.rubric, r.parsed, r.kind),
         "Score the communication behaviours of the submission's kind")):
    _component_route(_path, _name, _scorer, _summary)


@router.post("/key_questions", response_class=Response, openapi_extra=_SCORE_BODY,
             summary="Score the key questions asked",
             responses={200: _scored("key_questions"), 503: {"model": ErrorEnvelope}, **_ERRORS})
def key_questions(request: ScoreBody, encoder: LoadedEncoder) -> Response:
    """Which of the rubric's key questions the interviewer asked, or a presentation stated (hybrid
    matcher: phrases and label word for word, else the sentence-embedding model and a calibrated
    decision model of the submission's kind); 503 `model_not_ready` until the model has loaded."""
    return json_response(score_key_questions(request.rubric, request.parsed, encoder, kind=request.kind))


@router.post("/aggregate", response_class=Response, summary="Combine component results into the overall score",
             openapi_extra=body_schema(AggregateRequest, {"rubric": example("rubric"),
                                                          "components": example("component_results")}),
             responses={200: {"model": AggregateResult, "content": json_content(example("aggregate_result"))},
                        **_ERRORS})
def aggregate_components(request: AggregateBody) -> Response:
    """overall = Σ weight · component score over the components the submission's kind is scored on;
    feedback citing an anchor the rubric version does not have is dropped and counted."""
    return json_response(aggregate(request.rubric, request.components, request.kind))
