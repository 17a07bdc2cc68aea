"""``POST /grade/upload`` against scripted downstream services (no network): the file goes to
the parser's ``/parse/upload`` as multipart, then the grade is made exactly as ``POST /grade``."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from grading_orchestrator import uploads
from grading_orchestrator.core.config import OrchestratorSettings
from grading_orchestrator.main import create_app
from medgrade_shared.api_keys import ApiKeyStore, open_key_file

VTT = b"WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Doctor>What brings you in?\n"
FORM = {"rubric_id": "demo_v1", "student_id": "s-1"}
PARSED = {
    "format": "vtt", "utterances": [], "sections": [{"name": "CC", "start_index": 0, "end_index": 0}],
    "detected_order": ["CC"], "summary": {"text": "", "tokens": 0, "source": "none"},
    "roles_inferred": False, "warnings": [],
}
GRADE_REQUEST = {"rubric_id": "demo_v1", "student_id": "s-1",
                 "submission": {"oral_transcript": "[00:01] Student: What brings you in?"}}


@pytest.fixture
def services(fake):
    """The shared fake services, with the parser's ``/parse/upload`` added; ``uploads`` keeps
    every upload request, failed ones included."""
    fake.uploads = []
    answer = fake.handle

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/parse/upload":
            fake.uploads.append(request)
            if not fake.failures.get("/parse/upload"):
                fake.calls["/parse/upload"] += 1
                return httpx.Response(200, json=PARSED)
        return answer(request)

    fake.handle = handle
    return fake


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "store"


def make_client(services, store: Path, auth_required: bool = False) -> TestClient:
    settings = OrchestratorSettings(store_path=store, retry_backoff_max_s=0.01, auth_required=auth_required)
    return TestClient(create_app(settings, transport=services.transport()))


@pytest.fixture
def client(services, store):
    with make_client(services, store) as test_client:
        yield test_client


def upload(client: TestClient, content: bytes = VTT, filename: str = "consult.vtt", headers: dict | None = None,
           **fields: str) -> httpx.Response:
    return client.post("/grade/upload", files={"file": (filename, content, "text/vtt")},
                       data={**FORM, **fields}, headers=headers)


def stored_gradings(store: Path) -> list[Path]:
    return sorted((store / "gradings").glob("*.json")) if (store / "gradings").exists() else []


def test_an_uploaded_file_is_parsed_by_the_parser_and_graded_like_grade(client, services, store):
    response = upload(client, summary_text="Cough for a week.", format="vtt", rubric_version="1.2.0")
    assert response.status_code == 200
    result = response.json()
    assert services.calls["/parse/upload"] == 1 and services.calls["/parse"] == 0
    sent = services.uploads[0]
    assert sent.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    body = sent.content
    assert VTT in body and b'filename="consult.vtt"' in body
    assert b'name="format"\r\n\r\nvtt\r\n' in body and b'name="summary_text"\r\n\r\nCough for a week.\r\n' in body
    assert (result["student_id"], result["rubric_id"], result["rubric_version"]) == ("s-1", "demo_v1", "1.2.0")
    assert [p.stem for p in stored_gradings(store)] == [result["grading_id"]]
    plain = client.post("/grade", json=GRADE_REQUEST).json()
    assert set(result) == set(plain)
    assert {k: result[k] for k in ("overall", "components", "breakdown", "sections", "detected_order")} == {
        k: plain[k] for k in ("overall", "components", "breakdown", "sections", "detected_order")}
    assert set(result["timings_ms"]) == set(plain["timings_ms"])


def test_an_uploaded_presentation_is_graded_as_one(client):
    assert upload(client, kind="presentation").json()["kind"] == "presentation"
    assert upload(client).json()["kind"] == "interview"
    assert upload(client, kind="essay").status_code == 422


def test_defaults_and_a_file_name_without_folders_are_forwarded(client, services):
    assert upload(client, filename="../../etc/consult.docx").status_code == 200
    body = services.uploads[0].content
    assert b'filename="consult.docx"' in body and b'name="format"\r\n\r\nauto\r\n' in body
    assert b'name="summary_text"' not in body


@pytest.mark.parametrize("status", [413, 415, 422])
def test_the_parsers_refusals_keep_their_status_and_are_not_retried(client, services, store, status):
    services.failures["/parse/upload"] = [status]
    response = upload(client)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == "x"  # the parser's own code (the fake's scripted errors all say "x")
    assert error["details"]["service"] == "document_parser" and error["details"]["stage"] == "parse"
    assert len(services.uploads) == 1
    assert services.calls["/score/aggregate"] == 0 and stored_gradings(store) == []


def test_transient_parser_failures_are_retried_with_the_same_file(client, services):
    services.failures["/parse/upload"] = [0, 503]
    assert upload(client).status_code == 200
    assert len(services.uploads) == 3
    boundaries = [r.headers["Content-Type"].partition("boundary=")[2].encode() for r in services.uploads]
    assert len({r.content.replace(b, b"BOUNDARY") for r, b in zip(services.uploads, boundaries, strict=True)}) == 1


def test_a_parser_that_stays_down_fails_with_503_naming_it(client, services, store):
    services.failures["/parse/upload"] = [503, 503, 503]
    response = upload(client)
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["details"]["service"] == "document_parser" and "document_parser" in error["message"]
    assert stored_gradings(store) == []
    assert 'grading_errors_total{reason="http_503",stage="parse"} 1.0' in client.get("/metrics").text


def test_unknown_rubric_is_404_and_the_file_is_not_parsed(client, services):
    response = upload(client, rubric_id="nope_v1")
    assert response.status_code == 404 and response.json()["error"]["code"] == "rubric_not_found"
    assert services.uploads == []


@pytest.mark.parametrize("fields", [{"rubric_id": "../etc"}, {"student_id": "a b"}, {"student_id": ""},
                                    {"rubric_version": "latest"}, {"format": "exe"}])
def test_bad_form_fields_get_422_envelopes_without_calling_anything(client, services, fields):
    response = upload(client, **fields)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    assert sum(services.calls.values()) == 0 and services.uploads == []


def test_a_missing_file_is_422(client, services):
    response = client.post("/grade/upload", data=FORM)
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"
    assert sum(services.calls.values()) == 0


def test_a_file_over_the_limit_is_413_before_anything_is_called(client, services, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 16)
    response = upload(client, content=b"x" * 17)
    assert response.status_code == 413 and response.json()["error"]["code"] == "file_too_large"
    assert sum(services.calls.values()) == 0 and services.uploads == []


def test_the_upload_needs_a_key_with_the_grade_scope(services, store):
    with make_client(services, store, auth_required=True) as keyed_client:
        keys = ApiKeyStore(open_key_file(OrchestratorSettings(store_path=store)))
        grader, editor = keys.create("lms", ["grade"]), keys.create("editor", ["rubrics:read", "rubrics:write"])
        assert upload(keyed_client).status_code == 401
        assert upload(keyed_client, headers={"X-API-Key": editor}).status_code == 403
        assert services.uploads == []
        assert upload(keyed_client, headers={"X-API-Key": grader}).status_code == 200


def test_the_route_is_measured_under_its_own_name(client):
    upload(client)
    assert ('medgrade_http_requests_total{method="POST",route="/grade/upload",service="grading_orchestrator",'
            'status="200"}') in client.get("/metrics").text
