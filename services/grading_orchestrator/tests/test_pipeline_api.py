"""The orchestrator's API and pipeline against scripted downstream services (no network)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from grading_orchestrator.core.config import OrchestratorSettings
from grading_orchestrator.main import create_app
from grading_orchestrator.results import ResultStore
from medgrade_shared.models.components import COMPONENT_TABLE
from medgrade_shared.models.grading import GradingResult
from medgrade_shared.models.rubric import RUBRIC_IDENTITY

SCORES = {"structure": 0.5, "key_questions": 0.8, "summary": 0.4}

REQUEST = {"rubric_id": "demo_v1", "student_id": "s-1",
           "submission": {"oral_transcript": "[00:01] Student: What brings you in?"}}


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def client(fake, store: Path):
    settings = OrchestratorSettings(store_path=store, retry_backoff_max_s=0.01, rubric_latest_ttl_s=60,
                                    auth_required=False)
    with TestClient(create_app(settings, transport=fake.transport())) as test_client:
        yield test_client


def stored_gradings(store: Path) -> list[Path]:
    return sorted((store / "gradings").glob("*.json")) if (store / "gradings").exists() else []


def test_grade_combines_weighted_components_and_stores_the_result(client, fake, store):
    response = client.post("/grade", json=REQUEST)
    assert response.status_code == 200
    result = response.json()
    assert result["overall"] == pytest.approx(0.25 * 0.5 + 0.5 * 0.8 + 0.25 * 0.4)
    assert result["components"] == SCORES
    assert fake.calls["/score/reasoning"] == 0 and fake.calls["/score/communication"] == 0
    assert result["rubric_version"] == "1.2.0"
    assert result["engine"]["matcher"] == "lexical"
    assert set(result["timings_ms"]) >= {"rubric", "parse", "score", "aggregate", "total"}
    assert [p.stem for p in stored_gradings(store)] == [result["grading_id"]]
    again = client.get(f"/gradings/{result['grading_id']}")
    assert again.status_code == 200 and again.json() == result


def test_every_component_gets_its_part_of_the_rubric_and_the_same_transcript(client, fake):
    assert client.post("/grade", json=REQUEST).status_code == 200
    bodies = {c: json.loads(fake.bodies[f"/score/{c}"]) for c in SCORES}
    assert len({json.dumps(body["parsed"], sort_keys=True) for body in bodies.values()}) == 1
    for component, body in bodies.items():
        assert body["rubric"]["rubric_id"] == "demo_v1"
        assert set(body["rubric"]) == {*RUBRIC_IDENTITY, *COMPONENT_TABLE[component].rubric_parts}, component


def test_a_component_failing_after_retries_fails_the_grade_naming_scoring(client, fake, store):
    fake.failures["/score/summary"] = [503, 503, 503]
    response = client.post("/grade", json=REQUEST)
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["details"]["service"] == "scoring" and "scoring" in error["message"]
    assert fake.calls["/score/summary"] == 3
    assert fake.calls["/score/aggregate"] == 0
    assert stored_gradings(store) == []
    metrics = client.get("/metrics").text
    assert 'grading_errors_total{reason="http_503",stage="score"} 1.0' in metrics


def test_transient_failures_are_retried_then_succeed(client, fake):
    fake.failures["/parse"] = [0, 502]
    assert client.post("/grade", json=REQUEST).status_code == 200
    assert fake.calls["/parse"] == 3


def test_client_errors_are_not_retried_and_keep_their_meaning(client, fake):
    fake.failures["/parse"] = [422]
    response = client.post("/grade", json=REQUEST)
    assert response.status_code == 422
    assert fake.calls["/parse"] == 1
    assert response.json()["error"]["details"]["service"] == "document_parser"


def test_unknown_rubric_is_404(client):
    response = client.post("/grade", json={**REQUEST, "rubric_id": "nope_v1"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "rubric_not_found"


def test_rubric_versions_are_cached(client, fake):
    for _ in range(3):
        assert client.post("/grade", json={**REQUEST, "rubric_version": "1.2.0"}).status_code == 200
        assert client.post("/grade", json=REQUEST).status_code == 200
    assert fake.calls["/rubrics/demo_v1"] == 2


@pytest.mark.parametrize("body", [
    b"{not json",
    json.dumps({**REQUEST, "submission": {"oral_transcript": ""}}).encode(),
    json.dumps({**REQUEST, "rubric_id": "../etc"}).encode(),
    json.dumps({**REQUEST, "rubric_version": "latest"}).encode(),
])
def test_bad_requests_get_422_envelopes_without_calling_anything(client, fake, body):
    response = client.post("/grade", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    assert sum(fake.calls.values()) == 0


def test_unknown_grading_is_404_and_ids_are_never_used_as_paths(client):
    assert client.get("/gradings/0123456789abcdef0123456789abcdef").status_code == 404
    assert client.get("/gradings/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert client.get("/gradings/0123456789abcdef0123456789abcdef%0a").status_code == 404


def test_services_status_reports_each_service(client, fake):
    body = client.get("/services/status").json()
    assert body["status"] == "ok"
    assert set(body["services"]) == {"rubric_management", "document_parser", "scoring", "grading_orchestrator"}
    fake.failures["/health"] = [0, 0, 0]
    assert client.get("/services/status").json()["status"] == "degraded"


def test_metrics_count_scores_and_downstream_calls(client):
    client.post("/grade", json=REQUEST)
    metrics = client.get("/metrics").text
    assert "grading_overall_score_count 1.0" in metrics
    assert 'grading_component_score_count{component="key_questions"} 1.0' in metrics
    assert 'medgrade_downstream_request_duration_seconds_count{outcome="ok",target="scoring"} 4.0' in metrics
    assert ('medgrade_http_requests_total{method="POST",route="/grade",service="grading_orchestrator",'
            'status="200"}') in metrics


def test_a_monologue_is_graded_but_needs_review_and_is_counted(client, fake):
    warning = {"code": "monologue", "message": "No speaker labels were found.", "utterances": []}
    fake.parsed["warnings"] = [warning]
    result = client.post("/grade", json=REQUEST).json()
    assert (result["warnings"], result["needs_review"], result["review_reasons"]) == ([warning], True, ["monologue"])
    metrics = client.get("/metrics").text
    assert 'grading_warnings_total{code="monologue"} 1.0' in metrics
    assert 'grading_review_reasons_total{reason="monologue"} 1.0' in metrics


def test_a_clean_grading_needs_no_review(client):
    result = client.post("/grade", json=REQUEST).json()
    assert (result["warnings"], result["needs_review"], result["review_reasons"]) == ([], False, [])


def test_the_parsed_transcript_is_stored_with_the_grading(client, fake, store):
    grading_id = client.post("/grade", json=REQUEST).json()["grading_id"]
    assert (store / "gradings" / f"{grading_id}.json").exists()
    transcript = (store / "gradings" / grading_id / "transcript.json").read_bytes()
    assert json.loads(transcript) == fake.parsed  # as the parser answered it


class RecordingStore:
    """An object store that remembers the order of writes and can refuse one key."""

    def __init__(self, refuse: str | None = None) -> None:
        self.objects: dict[str, bytes] = {}
        self.refuse = refuse

    def put_new(self, key: str, data: bytes) -> bool:
        if key == self.refuse:
            raise OSError("disk full")
        self.objects[key] = data
        return True

    def get(self, key: str) -> bytes | None:
        return self.objects.get(key)


def test_the_transcript_is_written_before_the_grading_document():
    store = RecordingStore(refuse="gradings/" + "a" * 32 + ".json")
    with pytest.raises(OSError):
        asyncio.run(ResultStore(store).save("a" * 32, b"{}", b'{"utterances": []}'))  # type: ignore[arg-type]
    assert list(store.objects) == ["gradings/" + "a" * 32 + "/transcript.json"]


def test_a_presentation_is_scored_as_one_and_recorded_as_one(client, fake):
    fake.rubric["weights"].update(communication=0.25, summary=0.0)  # no presentation behaviours: not scored
    fake.rubric["communication"] = {"behaviours": [{"id": "intro", "label": "Introduces self", "phrases": ["hi"]}]}
    result = client.post("/grade", json={**REQUEST, "kind": "presentation"}).json()

    assert result["kind"] == "presentation"
    assert fake.calls["/score/communication"] == 0 and fake.calls["/score/summary"] == 0
    assert {json.loads(fake.bodies[f"/score/{c}"])["kind"] for c in ("structure", "key_questions")} == {"presentation"}
    assert json.loads(fake.bodies["/score/aggregate"])["kind"] == "presentation"
    assert client.post("/grade", json=REQUEST).json()["kind"] == "interview"
    assert fake.calls["/score/communication"] == 1


def test_a_kind_the_rubric_does_not_grade_is_refused_before_any_parsing(client, fake, store):
    fake.rubric["kinds"] = ["interview"]
    response = client.post("/grade", json={**REQUEST, "kind": "presentation"})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "kind_not_accepted"
    assert "interviews only" in response.json()["error"]["message"]
    assert fake.calls["/parse"] == 0 and stored_gradings(store) == []
    assert client.post("/grade", json={**REQUEST, "kind": "essay"}).status_code == 422


def test_a_rubric_the_orchestrator_cannot_read_is_a_502_naming_the_rubric_service(client, fake, store):
    fake.rubric["weights"] = {"structure": -1}
    response = client.post("/grade", json=REQUEST)

    assert response.status_code == 502
    assert response.json()["error"]["details"]["service"] == "rubric_management"
    assert fake.calls["/parse"] == 0 and stored_gradings(store) == []


def test_gradings_are_listed_newest_first_filtered_and_paged(client, fake):
    ids = []
    for student in ("s-1", "s-2", "s-1"):
        ids.append(client.post("/grade", json={**REQUEST, "student_id": student}).json()["grading_id"])
    fake.parsed["warnings"] = [{"code": "monologue", "message": "No speaker labels were found.", "utterances": []}]
    flagged = client.post("/grade", json={**REQUEST, "student_id": "s-2"}).json()["grading_id"]

    everything = client.get("/gradings").json()
    assert [item["grading_id"] for item in everything["items"]] == [flagged, *reversed(ids)]
    assert everything["next_cursor"] is None
    mine = client.get("/gradings", params={"student_id": "s-1"}).json()["items"]
    assert [item["grading_id"] for item in mine] == [ids[2], ids[0]]
    assert {item["student_id"] for item in mine} == {"s-1"} and mine[0]["kind"] == "interview"
    review = client.get("/gradings", params={"needs_review": "true"}).json()["items"]
    assert [item["grading_id"] for item in review] == [flagged]
    assert client.get("/gradings", params={"rubric_id": "other_v1"}).json()["items"] == []

    first = client.get("/gradings", params={"limit": 3}).json()
    rest = client.get("/gradings", params={"limit": 3, "cursor": first["next_cursor"]}).json()
    assert [i["grading_id"] for i in first["items"] + rest["items"]] == [i["grading_id"] for i in everything["items"]]
    assert rest["next_cursor"] is None
    assert client.get("/gradings", params={"since": "2999-01-01T00:00:00Z"}).json()["items"] == []
    assert client.get("/gradings", params={"cursor": "../../etc/passwd"}).status_code == 422
    assert client.get("/gradings", params={"student_id": "a b"}).status_code == 422


def test_the_transcript_is_parsed_while_the_rubric_is_fetched(fake, store):
    """The rubric's answer waits until the parse has begun: graded sequentially it would never come."""
    parse_began: asyncio.Event | None = None

    async def handle(request):
        nonlocal parse_began
        parse_began = parse_began or asyncio.Event()
        if request.url.path == "/parse":
            parse_began.set()
        elif request.url.path.startswith("/rubrics/"):
            await asyncio.wait_for(parse_began.wait(), timeout=5)
        return fake.handle(request)

    settings = OrchestratorSettings(store_path=store, retry_backoff_max_s=0.01, auth_required=False)
    with TestClient(create_app(settings, transport=httpx.MockTransport(handle))) as client:
        response = client.post("/grade", json=REQUEST)
    assert response.status_code == 200, response.text
    assert fake.calls["/parse"] == 1 and fake.calls["/rubrics/demo_v1"] == 1


def test_a_rubric_that_cannot_be_had_stops_the_parse_and_stores_nothing(client, fake, store):
    response = client.post("/grade", json={**REQUEST, "rubric_id": "nope_v1"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "rubric_not_found"
    assert stored_gradings(store) == []


def test_every_stored_grading_is_a_valid_grading_result(client, store):
    for student in ("s-1", "s-2"):
        assert client.post("/grade", json={**REQUEST, "student_id": student}).status_code == 200
    stored = stored_gradings(store)
    assert len(stored) == 2
    for path in stored:
        result = GradingResult.model_validate_json(path.read_bytes())
        assert result.grading_id == path.stem
