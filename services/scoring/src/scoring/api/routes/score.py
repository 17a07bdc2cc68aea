"""Scoring endpoints. Bodies are decoded and validated once (see ``medgrade_shared.json_body``);
the scorers run in the thread pool (plain ``def`` routes), so the CPU work of matching never
blocks the event loop that answers ``/health``. ``/score/key_questions`` also needs the loaded
sentence-embedding model: 503 ``model_not_ready`` until it has loaded.

Every component request is within budget first: at most ``max_sentences`` interviewer sentences
(413 ``too_many_sentences`` otherwise) and the caller's deadline not yet passed while it waited
for a worker thread (504 ``deadline_exceeded``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from medgrade_shared.deadline import check as check_deadline
from medgrade_shared.errors import ApiError
from medgrade_shared.examples import example, json_content
from medgrade_shared.json_body import body_schema, json_body, json_response
from medgrade_shared.models.errors import ErrorEnvelope
from medgrade_shared.models.scoring import AggregateRequest, AggregateResult, ComponentResult, ScoreRequest
from medgrade_shared.models.vocabulary import ComponentName
from scoring.api.deps import SettingsDep
from scoring.api.model_slot import loaded_encoder
from scoring.evaluators.aggregate import aggregate
from scoring.evaluators.components import SCORERS, Scorer
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

_ERRORS = {code: {"model": ErrorEnvelope} for code in (413, 422, 504)}
_SCORE_BODY = body_schema(ScoreRequest, {"rubric": example("rubric"), "parsed": example("parsed_transcript")})


def _scored(component: str) -> dict[str, Any]:
    """The 200 answer of ``/score/<component>``, with the example's result."""
    return {"model": ComponentResult, "content": json_content(example("component_results")[component])}


def _component_route(name: ComponentName, scorer: Scorer) -> None:
    path = f"/{name}"
    responses = {200: _scored(name), **({503: {"model": ErrorEnvelope}} if scorer.needs_model else {}), **_ERRORS}
    options = {"response_class": Response, "name": f"score_{name}", "openapi_extra": _SCORE_BODY,
               "summary": scorer.summary, "responses": responses}
    if scorer.needs_model:
        @router.post(path, **options)
        def score_with_model(request: ScoreBody, encoder: LoadedEncoder) -> Response:
            """Matched with the sentence-embedding model: 503 `model_not_ready` until it has loaded."""
            return json_response(scorer.score(request, encoder))
    else:
        @router.post(path, **options)
        def score(request: ScoreBody) -> Response:
            return json_response(scorer.score(request, None))


for _name, _scorer in SCORERS.items():
    _component_route(_name, _scorer)


@router.post("/aggregate", response_class=Response, summary="Combine component results into the overall score",
             openapi_extra=body_schema(AggregateRequest, {"rubric": example("rubric"),
                                                          "components": example("component_results")}),
             responses={200: {"model": AggregateResult, "content": json_content(example("aggregate_result"))},
                        **_ERRORS})
def aggregate_components(request: AggregateBody) -> Response:
    """overall = Σ weight · component score over the components the submission's kind is scored on;
    feedback citing an anchor the rubric version does not have is dropped and counted."""
    return json_response(aggregate(request.rubric, request.components, request.kind))
