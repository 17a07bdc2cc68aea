from fastapi.testclient import TestClient

from medgrade_shared.internal_auth import INTERNAL_TOKEN_HEADER
from medgrade_shared.models.transcript import ParsedTranscript
from medgrade_shared.testing.internal_token import assert_refused_without_token


def test_parse_returns_the_contract(client: TestClient, interview: str) -> None:
    response = client.post("/parse", json={"text": interview, "format": "auto"}, headers={"X-Request-ID": "req-1"})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "req-1"
    parsed = ParsedTranscript.model_validate(response.json())
    assert parsed.format == "text"
    assert parsed.utterances[0].speaker == "Student" and parsed.utterances[0].start == 0.0
    assert parsed.detected_order[0] == "CC" and parsed.detected_order[-1] == "Summary"
    assert parsed.summary.source == "transcript"


def test_whitespace_only_text_is_a_422_empty_transcript(client: TestClient) -> None:
    response = client.post("/parse", json={"text": "   \n "})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "empty_transcript"
    assert response.json()["error"]["request_id"]


def test_empty_text_fails_request_validation_in_the_envelope(client: TestClient) -> None:
    response = client.post("/parse", json={"text": ""})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_malformed_request_body_is_a_422_envelope(client: TestClient) -> None:
    response = client.post("/parse", content=b'{"text": "Doctor: hi"', headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert set(response.json()["error"]) == {"code", "message", "details", "request_id"}


def test_malformed_json_transcript_is_a_422(client: TestClient) -> None:
    response = client.post("/parse", json={"text": '[{"speaker": "Doctor"', "format": "json"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_json"


def test_unknown_format_is_a_422(client: TestClient) -> None:
    response = client.post("/parse", json={"text": "Doctor: Hi", "format": "docx"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_malformed_srt_is_a_422(client: TestClient) -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\n00:00:0x,000 --> 00:00:03,000\nYo\n"
    response = client.post("/parse", json={"text": text, "format": "srt"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_srt"


def test_transcript_longer_than_the_setting_is_refused(client: TestClient) -> None:
    response = client.post("/parse", json={"text": "Doctor: " + "a" * 200_000})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "transcript_too_large"


def test_health_ready_and_metrics(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok", "service": "document_parser"}
    ready = client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "service": "document_parser", "checks": {"parser": True}}
    client.post("/parse", json={"text": "Doctor: Hi"})
    metrics = client.get("/metrics").text
    assert 'medgrade_http_requests_total{method="POST",route="/parse",service="document_parser",status="200"}' \
        in metrics


def test_the_parser_answers_only_callers_with_the_internal_credential(client: TestClient) -> None:
    assert_refused_without_token(client, "POST", "/parse", json={"text": "Doctor: Hi"})
    assert_refused_without_token(client, "POST", "/parse/upload",
                                 files={"file": ("t.txt", b"Doctor: Hi", "text/plain")})
    assert client.get("/health", headers={INTERNAL_TOKEN_HEADER: ""}).status_code == 200
