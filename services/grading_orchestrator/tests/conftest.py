"""Fixtures: a scripted stand-in for the three downstream services (httpx.MockTransport)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import httpx
import pytest

from grading_orchestrator.core.config import OrchestratorSettings
from medgrade_shared.api_keys import ApiKeyStore, open_key_file
from medgrade_shared.examples import example

pytest_plugins = ["medgrade_shared.testing.internal_token"]

RUBRIC = {
    "rubric_id": "demo_v1", "version": "1.2.0", "status": "approved",
    "weights": {"structure": 0.25, "key_questions": 0.5, "reasoning": 0.0, "summary": 0.25, "communication": 0.0},
}
PARSED = {
    "format": "text", "utterances": [], "sections": [{"name": "CC", "start_index": 0, "end_index": 0}],
    "detected_order": ["CC"], "summary": {"text": "", "tokens": 0, "source": "none"},
    "roles_inferred": False, "warnings": [],
}
SCORES = {"structure": 0.5, "key_questions": 0.8, "summary": 0.4}


def component(name: str) -> dict:
    details = {"matcher": "lexical", "matcher_version": "1"} if name == "key_questions" else {}
    return {"component": name, "score": SCORES.get(name, 0.5), "successes": [], "violations": [], "details": details}


class FakeServices:
    """Answers like the real services; ``failures[path]`` scripts status codes to return first
    (0: the connection is refused, -1: the answer does not come in time)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.failures: dict[str, list[int]] = {}
        self.bodies: dict[str, bytes] = {}
        self.headers: dict[str, list[httpx.Headers]] = {}
        self.parsed = json.loads(json.dumps(PARSED))  # what /parse answers; a test may change it
        self.rubric = json.loads(json.dumps(RUBRIC))  # what /rubrics/demo_v1 answers; likewise

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.calls[path] += 1
        self.bodies[path] = request.content
        self.headers.setdefault(path, []).append(request.headers)
        scripted = self.failures.get(path)
        if scripted:
            status = scripted.pop(0)
            if status == 0:
                raise httpx.ConnectError("connection refused", request=request)
            if status == -1:
                raise httpx.ReadTimeout("no answer in time", request=request)
            return httpx.Response(status, json={"error": {"code": "x", "message": f"scripted {status}"}})
        if path.startswith("/rubrics/"):
            if path != "/rubrics/demo_v1":
                return httpx.Response(404, json={"error": {"code": "not_found", "message": "no such rubric"}})
            return httpx.Response(200, json=self.rubric)
        if path == "/parse":
            return httpx.Response(200, json=self.parsed)
        if path == "/score/aggregate":
            components = json.loads(request.content)["components"]
            weights = self.rubric["weights"]
            overall = sum(weights[n] * c["score"] for n, c in components.items())
            breakdown = {n: {"score": c["score"], "weight": weights[n], "weighted": weights[n] * c["score"]}
                         for n, c in components.items()}
            return httpx.Response(200, json={"overall": overall, "breakdown": breakdown, "feedback": [],
                                             "dropped_feedback": 0})
        if path.startswith("/score/"):
            return httpx.Response(200, json=component(path.removeprefix("/score/")))
        if path == "/health":
            return httpx.Response(200, json={"status": "ok"})
        return httpx.Response(404)


@pytest.fixture
def settings(tmp_path: Path) -> OrchestratorSettings:
    """The orchestrator's settings with a store in a temp folder (and quick retries)."""
    return OrchestratorSettings(store_path=tmp_path / "store", retry_backoff_max_s=0.01)


@pytest.fixture
def keys(settings) -> ApiKeyStore:
    """The key store of those settings."""
    return ApiKeyStore(open_key_file(settings))


@pytest.fixture
def fake() -> FakeServices:
    return FakeServices()


class SampleServices:
    """The three services answering as they do for ``samples/stroke_interview.txt`` graded
    against ``stroke_v1`` (the shared examples: the real parse, component results and aggregate
    of that sample). Each answer is a deep copy a test may change first; ``failures`` as above."""

    def __init__(self) -> None:
        def copy(name: str):
            return json.loads(json.dumps(example(name)))

        self.rubric = copy("rubric")
        self.parsed = copy("parsed_transcript")
        self.components = copy("component_results")
        self.aggregate = copy("aggregate_result")
        self.calls: Counter[str] = Counter()
        self.failures: dict[str, list[int]] = {}

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.calls[path] += 1
        if self.failures.get(path):
            return httpx.Response(self.failures[path].pop(0), json={"error": {"code": "x", "message": "scripted"}})
        if path == f"/rubrics/{self.rubric['rubric_id']}":
            return httpx.Response(200, json=self.rubric)
        if path == "/parse":
            return httpx.Response(200, json=self.parsed)
        if path == "/score/aggregate":
            return httpx.Response(200, json=self.aggregate)
        if path.startswith("/score/"):
            return httpx.Response(200, json=self.components[path.removeprefix("/score/")])
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "no such route"}})


@pytest.fixture
def sample() -> SampleServices:
    return SampleServices()
