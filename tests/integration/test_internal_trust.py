"""Issue 13, item 7: the internal services answer only the suite itself. Called directly, without
the internal credential (or with a forged one and a forged client name), rubric_management,
document_parser and scoring refuse with a 401 envelope and change nothing; grading and the
rubric routes through the gateway still work, and rubric writes still need ``rubrics:write``."""

from __future__ import annotations

import httpx
import pytest

from medgrade_shared import registry
from medgrade_shared.internal_auth import INTERNAL_TOKEN_HEADER

from .backends import url
from .conftest import GATEWAY, RUBRICS, SCORING, internal_headers, sample

PARSER = url(registry.PARSER)
FORGED = {INTERNAL_TOKEN_HEADER: "not-the-token-" + "x" * 32, "X-Client-Name": "grading_orchestrator"}


def _assert_401(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    error = response.json()["error"]
    assert error["code"] == "unauthorized" and error["request_id"] == response.headers["X-Request-ID"]


@pytest.mark.parametrize("headers", [{}, FORGED], ids=["no-token", "forged-token"])
def test_the_internal_services_refuse_direct_callers(headers):
    _assert_401(httpx.post(f"{SCORING}/score/aggregate", json={}, headers=headers, timeout=10))
    _assert_401(httpx.post(f"{PARSER}/parse", json={"text": "Doctor: Hi"}, headers=headers, timeout=10))
    _assert_401(httpx.get(f"{RUBRICS}/rubrics", headers=headers, timeout=10))
    # The fuzzer archived chest_pain_v1's only approved version this way: now refused, nothing changed.
    _assert_401(httpx.post(f"{RUBRICS}/rubrics/chest_pain_v1/versions/1.0.0/archive", headers=headers, timeout=10))
    latest = httpx.get(f"{RUBRICS}/rubrics/chest_pain_v1", headers=internal_headers(), timeout=10)
    assert latest.status_code == 200 and latest.json()["status"] == "approved"


def test_health_ready_and_metrics_stay_open():
    for base in (RUBRICS, PARSER, SCORING):
        for path in ("/health", "/ready", "/metrics"):
            assert httpx.get(base + path, timeout=10).status_code == 200, base + path


def test_grading_and_rubrics_through_the_gateway_still_work_and_keep_their_scopes(new_key):
    _, key = new_key("grade", "rubrics:read")
    with httpx.Client(base_url=GATEWAY, timeout=30, headers={"X-API-Key": key}) as gateway:
        graded = gateway.post("/grade", json={"rubric_id": "stroke_v1", "student_id": "it-trust",
                                              "submission": {"oral_transcript": sample("stroke_interview.txt")}})
        assert graded.status_code == 200, graded.text
        assert gateway.get("/rubrics/stroke_v1").status_code == 200
        # The gateway's credential does not make a read-only key a writer.
        archive = gateway.post("/rubrics/chest_pain_v1/versions/1.0.0/archive", headers=FORGED)
        assert archive.status_code == 403, archive.text
