"""The grading pipeline: rubric and parse at once → components in parallel → aggregate → store.

The submission's kind (an interview or an oral case presentation) must be one the rubric grades
(422 ``kind_not_accepted`` otherwise); it decides which components are scored and how.

A grade is never produced from a partial set of components: any stage that still fails
after the client's retries fails the whole request with an error naming the service, and
nothing is stored. The grading deadline bounds the whole request and goes with every downstream
call (:mod:`medgrade_shared.deadline`), so the parser and scoring stop at it too.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from typing import Any, Protocol

import orjson

from grading_orchestrator.clients.parser import ParserClient
from grading_orchestrator.clients.rubrics import RubricClient
from grading_orchestrator.clients.scoring import ScoringClient
from grading_orchestrator.core.metrics import GradingMetrics
from grading_orchestrator.results import ResultStore
from grading_orchestrator.review import grading_warnings, needs_review
from medgrade_shared.deadline import deadline_scope
from medgrade_shared.errors import (
    DeadlineExceeded,
    DomainError,
    Invalid,
    NotFound,
    TooLarge,
    Unavailable,
    UnsupportedMedia,
    UpstreamFailed,
)
from medgrade_shared.http_client import DownstreamError
from medgrade_shared.models.grading import GradeRequest
from medgrade_shared.models.rubric import SubmissionKind
from medgrade_shared.models.rubric_checks import require_kind, scored_components
from medgrade_shared.models.scoring import ComponentEvidence
from medgrade_shared.models.vocabulary import ComponentName
from medgrade_shared.store import StoreError

ORCHESTRATOR_VERSION = package_version("medgrade-grading-orchestrator")
ParseCall = Callable[[], Awaitable[bytes]]  # the parsed transcript's raw JSON


class GradeTarget(Protocol):
    """What a grading needs to know besides the transcript (a GradeRequest has it too)."""

    rubric_id: str
    rubric_version: str | None
    student_id: str
    kind: SubmissionKind


@dataclass(frozen=True, slots=True)
class Target:
    """The rubric, the student and the kind of a grading whose transcript comes another way than
    a ``GradeRequest``'s text (an uploaded file, a batch item)."""

    rubric_id: str
    rubric_version: str | None
    student_id: str
    kind: SubmissionKind = "interview"


class GradingPipeline:
    def __init__(
        self,
        rubrics: RubricClient,
        parser: ParserClient,
        scoring: ScoringClient,
        results: ResultStore,
        metrics: GradingMetrics,
        deadline_s: float,
    ) -> None:
        self.rubrics = rubrics
        self.parser = parser
        self.scoring = scoring
        self.results = results
        self.metrics = metrics
        self.deadline_s = deadline_s

    async def grade(self, request: GradeRequest | GradeTarget, parse: ParseCall | None = None,
                    grading_id: str | None = None, batch_id: str | None = None) -> bytes:
        """Grade one submission; return the stored result document (JSON bytes).

        ``parse`` replaces the parse of ``request.submission`` (an uploaded file is parsed by
        its own parser call); ``request`` then only names the rubric and the student.
        ``grading_id`` (a batch item's, fixed before grading) makes the grading idempotent: a
        grading already stored under it is returned as it is, never graded or stored again (and
        indexed, in case the try that stored it stopped before). ``batch_id`` goes in the index."""
        if grading_id is not None:
            stored = await self._stored(grading_id, batch_id)
            if stored is not None:
                return stored
        with deadline_scope(self.deadline_s):
            return await self._grade(request, parse, grading_id or uuid.uuid4().hex, batch_id)

    async def rubric_version(self, rubric_id: str, version: str | None) -> str:
        """The version a grading of ``rubric_id`` would use now (``version``, else the highest
        approved one); the errors of a grading's rubric stage."""
        try:
            return (await self.rubrics.get(rubric_id, version)).version
        except DownstreamError as exc:
            raise self._downstream_failure("rubric", exc) from None

    async def _stored(self, grading_id: str, batch_id: str | None) -> bytes | None:
        try:
            stored = await self.results.load(grading_id)
            if stored is not None:
                await self.results.index.add(orjson.loads(stored), batch_id)
            return stored
        except (StoreError, OSError) as exc:
            self.metrics.errors.labels("store", "unavailable").inc()
            raise Unavailable("store_unavailable", "the result store is unavailable; no grade was stored",
                              {"stage": "store"}) from exc

    async def _grade(self, request: GradeRequest | GradeTarget, parse: ParseCall | None, grading_id: str,
                     batch_id: str | None) -> bytes:
        timings: dict[str, float] = {}
        stage = "rubric"
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.deadline_s):
                # The parse does not need the rubric: it runs while the rubric is fetched, and is
                # cancelled when the rubric stage fails (unknown rubric, a kind it does not grade).
                parsing = asyncio.create_task(self._parse(request, parse))
                try:
                    t0 = time.perf_counter()
                    rubric = await self.rubrics.get(request.rubric_id, request.rubric_version)
                    require_kind(rubric.rubric, request.kind)
                    timings["rubric"] = _ms_since(t0)
                    stage = "parse"
                    parsed_raw, timings["parse"] = await parsing
                finally:
                    if not parsing.done():
                        parsing.cancel()
                        await asyncio.gather(parsing, return_exceptions=True)

                stage, t0 = "score", time.perf_counter()
                component_raw = await self._score_components({
                    name: self.scoring.score_body(rubric.rubric.component_json(name).encode(), parsed_raw,
                                                  request.kind)
                    for name in scored_components(rubric.rubric, request.kind)})
                timings["score"] = _ms_since(t0)

                stage, t0 = "aggregate", time.perf_counter()
                aggregate_raw = await self.scoring.aggregate(rubric.raw, component_raw, request.kind)
                timings["aggregate"] = _ms_since(t0)

                stage, t0 = "store", time.perf_counter()
                timings["total"] = _ms_since(started)
                result = _result_document(grading_id, request, rubric.version, parsed_raw, component_raw,
                                          aggregate_raw, timings)
                document = orjson.dumps(result)
                if not await self.results.save(grading_id, document, parsed_raw, batch_id):
                    return await self.results.load(grading_id) or document  # another try stored it first
        except DownstreamError as exc:
            raise self._downstream_failure(stage, exc) from None
        except TimeoutError:
            self.metrics.errors.labels(stage, "deadline").inc()
            raise DeadlineExceeded("deadline_exceeded", f"grading did not finish within {self.deadline_s:g} s "
                                   f"(stage {stage}); no grade was produced", {"stage": stage}) from None
        except (StoreError, OSError) as exc:
            self.metrics.errors.labels("store", "unavailable").inc()
            raise Unavailable("store_unavailable", "the result store is unavailable; no grade was stored",
                              {"stage": "store"}) from exc
        self._observe_scores(result)
        return document

    async def _parse(self, request: GradeRequest | GradeTarget, parse: ParseCall | None) -> tuple[bytes, float]:
        """The parsed transcript's raw JSON and the milliseconds it took."""
        started = time.perf_counter()
        if parse is None:
            assert isinstance(request, GradeRequest)  # a GradeTarget always comes with its parse
            submission = request.submission
            parsed_raw = await self.parser.parse(submission.oral_transcript, submission.format,
                                                 submission.summary_text)
        else:
            parsed_raw = await parse()
        return parsed_raw, _ms_since(started)

    async def _score_components(self, bodies: dict[ComponentName, bytes]) -> dict[str, bytes]:
        """Every component at once, each sent only the part of the rubric it reads."""
        try:
            async with asyncio.TaskGroup() as group:
                tasks = {name: group.create_task(self.scoring.score_component(name, body))
                         for name, body in bodies.items()}
        except* DownstreamError as failures:
            raise failures.exceptions[0] from None
        return {name: task.result() for name, task in tasks.items()}

    def _downstream_failure(self, stage: str, exc: DownstreamError) -> DomainError:
        self.metrics.errors.labels(stage, exc.reason).inc()
        details = {"service": exc.target, "stage": stage, "downstream_error": exc.body}
        status = exc.status_code
        if status == 404 and stage == "rubric":
            return NotFound("rubric_not_found", _rubric_hint(exc), details)
        if status is not None and 400 <= status < 500:
            code = exc.body.get("code", "invalid_request") if isinstance(exc.body, dict) else "invalid_request"
            kind = {413: TooLarge, 415: UnsupportedMedia}.get(status, Invalid)
            return kind(code, exc.message, details)
        if exc.transient:
            return Unavailable("service_unavailable",
                               f"{exc.target} is unavailable ({exc.message}); no grade was produced", details)
        return UpstreamFailed("bad_gateway", f"{exc.target} failed ({exc.message}); no grade was produced", details)

    def _observe_scores(self, result: dict[str, Any]) -> None:
        self.metrics.overall_score.observe(result["overall"])
        for warning in result["warnings"]:
            self.metrics.warnings.labels(warning["code"]).inc()
        for reason in result["review_reasons"]:
            self.metrics.review_reasons.labels(reason).inc()
        for component, score in result["components"].items():
            self.metrics.component_score.labels(component).observe(score)


def _rubric_hint(exc: DownstreamError) -> str:
    """rubric_management's 404 in the words of ``/grade``: its fields are ``rubric_id`` and
    ``rubric_version`` (rubric_management's own hint names its ``?version=`` query)."""
    error = exc.body if isinstance(exc.body, dict) else {}
    details = error.get("details") if isinstance(error.get("details"), dict) else {}
    if details.get("reason") != "no_approved_version":
        return exc.message
    versions = ", ".join(f"{v['version']} ({v['status']})" for v in details.get("versions", []))
    return (f"Rubric {details.get('rubric_id')!r} has no approved version yet ({versions}); set rubric_version "
            "to one of them to grade against it, or approve one.")


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def _result_document(grading_id: str, request: GradeRequest | GradeTarget, rubric_version: str, parsed_raw: bytes,
                     component_raw: dict[str, bytes], aggregate_raw: bytes,
                     timings: dict[str, float]) -> dict[str, Any]:
    parsed = orjson.loads(parsed_raw)
    components = {name: orjson.loads(raw) for name, raw in component_raw.items()}
    aggregate = orjson.loads(aggregate_raw)
    warnings = grading_warnings(request.rubric_id, request.kind, parsed, components, aggregate["breakdown"])
    review_reasons = needs_review(warnings)
    engine = {"orchestrator": ORCHESTRATOR_VERSION}
    key_question_details = components.get("key_questions", {}).get("details", {})
    for field in ("matcher", "matcher_version", "model", "model_version"):
        if field in key_question_details:
            engine[field] = str(key_question_details[field])
    return {
        "grading_id": grading_id,
        "created_at": datetime.now(UTC).isoformat(),
        "student_id": request.student_id,
        "rubric_id": request.rubric_id,
        "rubric_version": rubric_version,
        "kind": request.kind,
        "overall": aggregate["overall"],
        "components": {name: result["score"] for name, result in components.items()},
        "breakdown": aggregate["breakdown"],
        "feedback": aggregate["feedback"],
        "dropped_feedback": aggregate.get("dropped_feedback", 0),
        "details": {name: {field: result[field] for field in ComponentEvidence.model_fields if field in result}
                    for name, result in components.items()},  # their feedback is in "feedback", once
        "sections": parsed["sections"],
        "detected_order": parsed["detected_order"],
        "summary": {"tokens": parsed["summary"]["tokens"], "source": parsed["summary"]["source"]},
        "timings_ms": timings,
        "engine": engine,
        "warnings": [w.model_dump() for w in warnings],
        "needs_review": bool(review_reasons),
        "review_reasons": review_reasons,
    }
