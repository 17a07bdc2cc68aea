from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from scoring.core.config import ScoringSettings
from scoring.main import create_app

ENDPOINTS = ("structure", "key_questions", "reasoning", "summary", "communication")


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(ScoringSettings())) as test_client:
        yield test_client


@pytest.fixture
def score_body(chest_dict, chest_transcript) -> dict:
    return {"rubric": chest_dict, "parsed": chest_transcript.model_dump(mode="json")}


def _assert_envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["request_id"] == response.headers["x-request-id"]
    return error


def test_every_component_endpoint_scores(client, score_body) -> None:
    for name in ENDPOINTS:
        response = client.post(f"/score/{name}", json=score_body)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["component"] == name
        assert 0.0 <= body["score"] <= 1.0


def test_aggregate_of_the_component_results(client, score_body, chest_dict) -> None:
    components = {name: client.post(f"/score/{name}", json=score_body).json() for name in ENDPOINTS}

    response = client.post("/score/aggregate", json={"rubric": chest_dict, "components": components})

    assert response.status_code == 200
    body = response.json()
    assert body["overall"] == pytest.approx(0.2 + 0.3 * 0.75 + 0.2 * 0.5 + 0.2 + 0.1)
    assert body["dropped_feedback"] == 0
    assert all(item["citations"][0].startswith("rubric://chest_pain_v1#") for item in body["feedback"])


def test_aggregate_with_a_missing_component_is_422(client, score_body, chest_dict) -> None:
    components = {"structure": client.post("/score/structure", json=score_body).json()}

    error = _assert_envelope(client.post("/score/aggregate", json={"rubric": chest_dict, "components": components}),
                             422, "missing_components")
    assert error["details"]["missing"] == ["key_questions", "reasoning", "summary", "communication"]


def test_uncited_feedback_in_a_request_is_refused(client, score_body, chest_dict) -> None:
    components = {name: client.post(f"/score/{name}", json=score_body).json() for name in ENDPOINTS}
    components["summary"]["successes"][0]["citations"] = ["student://summary#tokens=3"]

    _assert_envelope(client.post("/score/aggregate", json={"rubric": chest_dict, "components": components}),
                     422, "invalid_request")


def test_malformed_json_is_a_422_envelope(client) -> None:
    response = client.post("/score/structure", content=b'{"rubric": ', headers={"content-type": "application/json"})

    _assert_envelope(response, 422, "invalid_request")


def test_bad_rubric_is_a_422_envelope(client, score_body) -> None:
    score_body["rubric"]["structure"]["penalties"].append({"id": "too_long_presentation", "value": -0.1})

    error = _assert_envelope(client.post("/score/structure", json=score_body), 422, "invalid_request")
    assert any("too_long_presentation" in detail["msg"] for detail in error["details"])


def test_invalid_pattern_is_a_422_envelope(client, score_body) -> None:
    score_body["rubric"]["reasoning"]["required_links"][1]["pattern"] = "(unclosed"

    error = _assert_envelope(client.post("/score/reasoning", json=score_body), 422, "invalid_pattern")
    assert error["details"]["item_id"] == "pe"


def test_health_ready_and_metrics(client, score_body) -> None:
    client.post("/score/structure", json=score_body)

    assert client.get("/health").json() == {"status": "ok", "service": "scoring"}
    ready = client.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"re2": True}
    metrics = client.get("/metrics").text
    assert 'medgrade_http_requests_total{method="POST",route="/score/structure",service="scoring",status="200"} 1.0' \
        in metrics


def test_settings_read_the_service_prefix(monkeypatch) -> None:
    assert ScoringSettings().port == 8003
    monkeypatch.setenv("MEDGRADE_SCORING_PORT", "9103")
    assert ScoringSettings().port == 9103
