from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import orjson
import pytest
from fastapi.testclient import TestClient

from medgrade_shared.internal_auth import INTERNAL_TOKEN_HEADER
from medgrade_shared.models.rubric import Rubric
from medgrade_shared.registry import SCORING
from medgrade_shared.testing.internal_token import INTERNAL_HEADERS, assert_refused_without_token
from scoring.core.config import ScoringSettings
from scoring.main import create_app
from scoring.semantic.model import Encoder

ENDPOINTS = ("structure", "key_questions", "reasoning", "summary", "communication")


def _wait_until_ready(client: TestClient, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while client.get("/ready").status_code != 200:
        assert time.monotonic() < deadline, "the model did not load"
        time.sleep(0.05)


@pytest.fixture
def client(encoder: Encoder) -> Iterator[TestClient]:
    with TestClient(headers=INTERNAL_HEADERS,
                    app=create_app(ScoringSettings(), encoder_loader=lambda: encoder)) as test_client:
        _wait_until_ready(test_client)
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


@pytest.mark.parametrize("kind", ["interview", "presentation"])
@pytest.mark.parametrize("rubric_name", ["chest_dict", "stroke_dict"])
def test_each_component_scores_the_same_on_its_part_of_the_rubric(client, chest_transcript, rubric_name, kind,
                                                                   request) -> None:
    """A grading sends each component only ``Rubric.component_json``: a scorer that read another
    part of the rubric would score differently here."""
    whole = request.getfixturevalue(rubric_name)
    parsed = chest_transcript.model_dump(mode="json")
    for name in ENDPOINTS:
        part = orjson.loads(Rubric.model_validate(whole).component_json(name))
        assert set(part) < set(whole) | set(Rubric.model_fields), name
        full = client.post(f"/score/{name}", json={"rubric": whole, "parsed": parsed, "kind": kind})
        only_its_part = client.post(f"/score/{name}", json={"rubric": part, "parsed": parsed, "kind": kind})
        assert full.status_code == 200, full.text
        assert only_its_part.json() == full.json(), name


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

    error = _assert_envelope(client.post("/score/reasoning", json=score_body), 422, "invalid_rubric")
    assert error["details"]["problems"][0]["loc"] == ["reasoning", "required_links", 1, "pattern"]
    assert "'pe'" in error["message"]


def test_health_ready_and_metrics(client, score_body) -> None:
    client.post("/score/structure", json=score_body)

    assert client.get("/health").json() == {"status": "ok", "service": "scoring"}
    ready = client.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"re2": True, "model": True, "workers": True}
    metrics = client.get("/metrics").text
    assert 'medgrade_http_requests_total{method="POST",route="/score/structure",service="scoring",status="200"} 1.0' \
        in metrics


def test_settings_read_the_service_prefix(monkeypatch) -> None:
    assert ScoringSettings().port == SCORING.default_port
    assert ScoringSettings().model_wait_s == 8.0
    monkeypatch.setenv("MEDGRADE_SCORING_PORT", "9103")
    assert ScoringSettings().port == 9103


def test_key_questions_result_names_matcher_and_model(client, score_body, encoder) -> None:
    details = client.post("/score/key_questions", json=score_body).json()["details"]

    assert (details["matcher"], details["matcher_version"]) == ("hybrid", "8")
    assert (details["model"], details["model_version"]) == (encoder.name, encoder.version)


def test_not_ready_while_the_model_loads(score_body, encoder) -> None:
    release = threading.Event()

    def slow_loader() -> Encoder:
        release.wait(30)
        return encoder

    with TestClient(headers=INTERNAL_HEADERS,
                    app=create_app(ScoringSettings(model_wait_s=0), encoder_loader=slow_loader)) as client:
        assert client.get("/health").status_code == 200
        ready = client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"] == {"re2": True, "model": False, "workers": True}
        error = _assert_envelope(client.post("/score/key_questions", json=score_body), 503, "model_not_ready")
        assert "still loading" in error["message"]
        assert client.post("/score/structure", json=score_body).status_code == 200
        release.set()
        _wait_until_ready(client)
        assert client.post("/score/key_questions", json=score_body).status_code == 200


def test_a_model_that_fails_to_load_is_never_replaced(score_body) -> None:
    def broken_loader() -> Encoder:
        raise FileNotFoundError("model.safetensors is missing")

    with TestClient(headers=INTERNAL_HEADERS,
                    app=create_app(ScoringSettings(), encoder_loader=broken_loader)) as client:
        time.sleep(0.2)
        assert client.get("/ready").status_code == 503
        response = client.post("/score/key_questions", json=score_body)
        error = _assert_envelope(response, 503, "model_not_ready")
        assert "failed to load" in error["message"]
        assert "model.safetensors is missing" in error["message"]
        assert response.headers["retry-after"] == "5"


def test_a_request_during_the_load_waits_for_the_model(score_body, encoder) -> None:
    def slow_loader() -> Encoder:
        time.sleep(0.5)
        return encoder

    with TestClient(headers=INTERNAL_HEADERS,
                    app=create_app(ScoringSettings(model_wait_s=20), encoder_loader=slow_loader)) as client:
        assert client.get("/ready").status_code == 503
        response = client.post("/score/key_questions", json=score_body)
        assert response.status_code == 200
        assert response.json()["details"]["model_version"] == encoder.version


@pytest.mark.parametrize("start", [360000, 1e308])
def test_utterance_times_past_the_maximum_are_a_422_not_a_500(client, score_body, start) -> None:
    score_body["parsed"]["utterances"][2].update(start=start, end=start + 3)  # asks a key question
    for name in ("key_questions", "reasoning", "communication"):
        error = _assert_envelope(client.post(f"/score/{name}", json=score_body), 422, "invalid_request")
        assert error["details"][0]["loc"][:4] == ["body", "parsed", "utterances", 2]


def test_scoring_answers_only_callers_with_the_internal_credential(client, score_body) -> None:
    for name in (*ENDPOINTS, "aggregate"):
        assert_refused_without_token(client, "POST", f"/score/{name}", json=score_body)
    assert client.get("/health", headers={INTERNAL_TOKEN_HEADER: ""}).status_code == 200


def test_scoring_requests_share_the_configured_request_threads(score_body, encoder) -> None:
    # one request thread: a key-question request waiting for the model holds it, so a structure
    # request waits its turn instead of starting a thread of its own
    release = threading.Event()

    def slow_loader() -> Encoder:
        release.wait(30)
        return encoder

    settings = ScoringSettings(model_wait_s=20, request_threads=1)
    with TestClient(headers=INTERNAL_HEADERS, app=create_app(settings, encoder_loader=slow_loader)) as client:
        answers: dict[str, tuple[int, float]] = {}

        def post(component: str) -> None:
            status = client.post(f"/score/{component}", json=score_body).status_code
            answers[component] = (status, time.monotonic())

        waiting = threading.Thread(target=post, args=("key_questions",))
        waiting.start()
        time.sleep(0.5)  # the key-question request now holds the one thread
        queued = threading.Thread(target=post, args=("structure",))
        queued.start()
        queued.join(1.0)
        assert "structure" not in answers  # still waiting for the thread
        released_at = time.monotonic()
        release.set()
        waiting.join(30)
        queued.join(30)
        assert answers["key_questions"][0] == answers["structure"][0] == 200
        assert answers["structure"][1] >= released_at
