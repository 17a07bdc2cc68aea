"""The Prometheus started by run_integration_tests.sh (1 s scrapes) sees every service and the
gradings made through the gateway."""

from __future__ import annotations

import uuid

import httpx
import pytest

from .conftest import GATEWAY, ORCHESTRATOR, PROMETHEUS, wait_for

SERVICES = {"grading_orchestrator", "rubric_management", "document_parser", "scoring"}


def query(promql: str) -> float | None:
    answer = httpx.get(f"{PROMETHEUS}/api/v1/query", params={"query": promql}, timeout=5).json()
    assert answer["status"] == "success", answer
    result = answer["data"]["result"]
    return float(result[0]["value"][1]) if result else None


def orchestrator_count() -> float:
    metrics = httpx.get(f"{ORCHESTRATOR}/metrics", timeout=5).text
    return float(next(line.split()[1] for line in metrics.splitlines()
                      if line.startswith("grading_overall_score_count ")))


def target_health() -> dict[str, str]:
    answer = httpx.get(f"{PROMETHEUS}/api/v1/targets", timeout=5).json()
    return {t["labels"]["job"]: t["health"] for t in answer["data"]["activeTargets"]}


@pytest.fixture
def grader_key(suite) -> str:
    return suite.keys_cli("create", "--name", f"it-prom-{uuid.uuid4().hex[:8]}", "--scopes", "grade")


def test_every_service_is_a_healthy_target():
    wait_for(lambda: target_health() == dict.fromkeys(SERVICES, "up"), 30, "all four targets to be up")


def test_a_grading_through_the_gateway_shows_in_the_score_histogram(grader_key):
    response = httpx.post(f"{GATEWAY}/grade", headers={"X-API-Key": grader_key}, timeout=30, json={
        "rubric_id": "stroke_v1", "student_id": "it-prometheus",
        "submission": {"oral_transcript": "[00:01] Student: When did the weakness start?\n[00:03] Patient: At eight."}})
    assert response.status_code == 200, response.text
    served = orchestrator_count()  # this grading included
    wait_for(lambda: (query('sum(grading_overall_score_count{job="grading_orchestrator"})') or 0.0) >= served, 30,
             "Prometheus to scrape the new grading_overall_score_count")
