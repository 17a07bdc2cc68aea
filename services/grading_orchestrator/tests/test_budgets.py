"""The grading deadline goes with every downstream call, a long POST that timed out is sent
again only while the deadline leaves room for a whole attempt, and the orchestrator reads no
body past its limit."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from grading_orchestrator.core.config import OrchestratorSettings
from grading_orchestrator.main import create_app
from medgrade_shared.deadline import DEADLINE_HEADER

REQUEST = {"rubric_id": "demo_v1", "student_id": "s-1",
           "submission": {"oral_transcript": "[00:01] Student: What brings you in?"}}


def _client(fake, store: Path, **settings) -> TestClient:
    defaults = {"store_path": store, "retry_backoff_max_s": 0.01, "auth_required": False}
    return TestClient(create_app(OrchestratorSettings(**(defaults | settings)), transport=fake.transport()))


def test_every_downstream_call_carries_the_time_left_of_the_grading(fake, tmp_path):
    with _client(fake, tmp_path, grading_deadline_s=20.0) as client:
        assert client.post("/grade", json=REQUEST).status_code == 200
    sent = {path: [int(h[DEADLINE_HEADER]) for h in headers] for path, headers in fake.headers.items()}
    assert set(sent) == {"/rubrics/demo_v1", "/parse", "/score/structure", "/score/key_questions",
                         "/score/summary", "/score/aggregate"}
    assert all(0 < left <= 20_000 for lefts in sent.values() for left in lefts)
    assert sent["/score/aggregate"][0] <= sent["/parse"][0] <= sent["/rubrics/demo_v1"][0]


def test_a_parse_that_timed_out_is_not_sent_again_when_no_whole_attempt_fits(fake, tmp_path):
    fake.failures["/parse"] = [-1]
    with _client(fake, tmp_path, grading_deadline_s=8.0, read_timeout_s=10.0) as client:
        response = client.post("/grade", json=REQUEST)
    assert fake.calls["/parse"] == 1
    assert response.status_code == 503 and response.json()["error"]["details"]["service"] == "document_parser"


def test_a_parse_that_timed_out_is_sent_again_while_the_deadline_leaves_time(fake, tmp_path):
    fake.failures["/parse"] = [-1]
    with _client(fake, tmp_path, grading_deadline_s=25.0, read_timeout_s=10.0) as client:
        assert client.post("/grade", json=REQUEST).status_code == 200
    assert fake.calls["/parse"] == 2


def test_a_rubric_read_that_timed_out_is_retried_whatever_the_deadline(fake, tmp_path):
    fake.failures["/rubrics/demo_v1"] = [-1]
    with _client(fake, tmp_path, grading_deadline_s=8.0, read_timeout_s=10.0) as client:
        assert client.post("/grade", json=REQUEST).status_code == 200
    assert fake.calls["/rubrics/demo_v1"] == 2


def test_a_body_over_the_limit_is_413_before_anything_is_called(fake, tmp_path):
    with _client(fake, tmp_path, max_body_bytes=4096) as client:
        body = {**REQUEST, "padding": "x" * 20_000}
        response = client.post("/grade", json=body)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "payload_too_large" and error["details"] == {"limit_bytes": 4096}
    assert not fake.calls
