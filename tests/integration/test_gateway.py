"""The suite through the real nginx gateway: API keys (made with the key command against the
suite's store), scopes, rate limits, hidden internal routes, body size, security headers and
the JSON access log.

run_integration_tests.sh renders the gateway with 5 requests/s and a burst of 5 per client.
"""

from __future__ import annotations

import json
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx
import pytest

from .conftest import GATEWAY, wait_for

GRADE = {"rubric_id": "stroke_v1", "student_id": "it-gateway",
         "submission": {"oral_transcript": "[00:01] Student: What brings you in today?\n"
                                           "[00:04] Patient: My right arm went weak this morning.\n"
                                           "[00:09] Student: When exactly did it start?\n"
                                           "[00:12] Patient: At about eight."}}




def assert_envelope(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert error["request_id"] == response.headers["X-Request-ID"]


def test_no_key_is_401(gateway):
    assert_envelope(gateway.get("/services/status"), 401, "unauthorized")
    assert_envelope(gateway.post("/grade", json=GRADE), 401, "unauthorized")


def test_an_unknown_key_is_401(gateway):
    response = gateway.get("/services/status", headers={"X-API-Key": "mgk_" + "x" * 43})
    assert_envelope(response, 401, "unauthorized")


def test_a_revoked_key_is_401_at_once_without_restarting_anything(gateway, new_key, suite):
    name, key = new_key("grade")
    assert gateway.get("/services/status", headers={"X-API-Key": key}).status_code == 200
    suite.keys_cli("revoke", "--name", name)
    assert_envelope(gateway.get("/services/status", headers={"X-API-Key": key}), 401, "unauthorized")


def test_a_valid_key_reaches_the_status_with_security_headers(gateway, new_key):
    _, key = new_key("grade")
    response = gateway.get("/services/status", headers={"X-API-Key": key})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ok"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Server"] == "nginx"  # server_tokens off: no version


def test_a_real_grading_through_the_gateway(gateway, new_key):
    _, key = new_key("grade")
    response = gateway.post("/grade", json=GRADE, headers={"X-API-Key": key, "X-Request-ID": "it-gw-0001"})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["rubric_id"] == "stroke_v1" and 0.0 <= result["overall"] <= 1.0
    assert response.headers["X-Request-ID"] == "it-gw-0001"
    again = gateway.get(f"/gradings/{result['grading_id']}", headers={"X-API-Key": key})
    assert again.status_code == 200 and again.json()["grading_id"] == result["grading_id"]


def test_an_uploaded_transcript_is_graded_through_the_gateway(gateway, new_key):
    _, key = new_key("grade")
    transcript = GRADE["submission"]["oral_transcript"].encode()
    response = gateway.post("/grade/upload", headers={"X-API-Key": key},
                            files={"file": ("interview.txt", transcript, "text/plain")},
                            data={"rubric_id": "stroke_v1", "student_id": "it-gateway"})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["rubric_id"] == "stroke_v1" and result["detected_order"][0] == "CC"
    stored = gateway.get(f"/gradings/{result['grading_id']}", headers={"X-API-Key": key})
    assert stored.json() == result


def test_rubric_scopes_are_enforced(gateway, new_key):
    _, grader = new_key("grade")
    _, reader = new_key("rubrics:read")
    assert_envelope(gateway.post("/rubrics", json={"rubric_id": "x"}, headers={"X-API-Key": grader}),
                    403, "forbidden")
    assert_envelope(gateway.get("/rubrics/stroke_v1", headers={"X-API-Key": grader}), 403, "forbidden")
    assert gateway.get("/rubrics/stroke_v1", headers={"X-API-Key": reader}).status_code == 200
    assert_envelope(gateway.post("/rubrics", json={"rubric_id": "x"}, headers={"X-API-Key": reader}),
                    403, "forbidden")
    assert_envelope(gateway.post("/grade", json=GRADE, headers={"X-API-Key": reader}), 403, "forbidden")


def test_a_burst_over_the_limit_is_429_with_retry_after_for_that_client_only(gateway, new_key):
    _, noisy = new_key("grade")
    _, quiet = new_key("grade")
    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda _: gateway.get("/services/status", headers={"X-API-Key": noisy}),
                                  range(20)))
    limited = [r for r in responses if r.status_code == 429]
    assert limited and all(r.status_code in (200, 429) for r in responses)
    assert_envelope(limited[0], 429, "rate_limited")
    assert int(limited[0].headers["Retry-After"]) >= 1
    assert gateway.get("/services/status", headers={"X-API-Key": quiet}).status_code == 200


@pytest.mark.parametrize("path", ["/metrics", "/health", "/ready", "/auth/verify", "/_medgrade_auth",
                                  "/_medgrade_error", "/", "/gradex", "/rubrics-export", "/grade/../metrics"])
def test_internal_and_unknown_paths_are_404_even_with_a_key(gateway, new_key, path):
    _, key = new_key("grade", "rubrics:read", "rubrics:write")
    response = gateway.get(path, headers={"X-API-Key": key, "X-Original-URI": "/grade"})
    assert_envelope(response, 404, "not_found")
    assert "medgrade_http_requests_total" not in response.text


def _raw_request(request_line: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send a request line exactly as written (no client normalises its path, like curl's
    --path-as-is) and read the whole answer: (status, lower-cased headers, body)."""
    url = urlsplit(GATEWAY)
    with socket.create_connection((url.hostname, url.port or 80), timeout=10) as conn:
        conn.sendall(request_line + b"\r\nHost: gateway\r\nX-Request-ID: it-raw\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in header_lines)}
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize("request_line", [
    b"GET /%2e%2e/metrics HTTP/1.1", b"GET /rubrics/..%2f..%2fmetrics HTTP/1.1", b"GET /../../etc/passwd HTTP/1.1",
    b"POST /grade/../../../x HTTP/1.1", b"GET /rubrics/%00 HTTP/1.1",
])
def test_paths_nginx_cannot_resolve_get_the_json_envelope_not_its_html(request_line):
    status, headers, body = _raw_request(request_line)
    assert status == 400, body
    assert headers["content-type"].startswith("application/json")
    error = json.loads(body)["error"]
    assert error["code"] == "bad_request" and error["message"]
    assert error["request_id"] == headers["x-request-id"]


def test_the_gateway_answers_its_own_healthz_without_a_key(gateway):
    response = gateway.get("/healthz")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == {"status": "ok", "service": "gateway"}


def test_an_oversize_body_is_413_with_the_envelope(gateway, new_key):
    _, key = new_key("grade")
    body = b'{"rubric_id": "stroke_v1", "padding": "' + b"a" * (11 * 1024 * 1024) + b'"}'
    response = gateway.post("/grade", content=body,
                            headers={"X-API-Key": key, "Content-Type": "application/json"})
    assert_envelope(response, 413, "payload_too_large")


def test_the_access_log_names_the_client_never_the_key(gateway, new_key, suite):
    name, key = new_key("grade")
    request_id = f"it-log-{uuid.uuid4().hex[:8]}"
    assert gateway.get("/services/status", headers={"X-API-Key": key, "X-Request-ID": request_id}).status_code == 200
    wait_for(lambda: request_id in suite.gateway_access_log(), 5, "the gateway to log the request")
    log = suite.gateway_access_log()
    line = next(line for line in log.splitlines() if request_id in line)
    assert f'"client":"{name}"' in line and '"status":200' in line
    assert key not in log
