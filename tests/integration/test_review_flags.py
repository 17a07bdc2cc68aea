"""Through the real gateway: a grade says when it cannot be trusted (issue 12). An unlabelled
transcript, the wrong rubric for the consultation and a consultation with the doctor's
dictated notes, each graded by the real services."""

from __future__ import annotations

import uuid

import httpx
import pytest

from .conftest import GATEWAY, ROOT, sample

ACI_BENCH_D2N026 = ROOT / "services/document_parser/tests/data/aci_bench_D2N026.txt"


@pytest.fixture
def client(suite):
    key = suite.keys_cli("create", "--name", f"it-{uuid.uuid4().hex[:10]}", "--scopes", "grade")
    with httpx.Client(base_url=GATEWAY, timeout=60, headers={"X-API-Key": key}) as gateway:
        yield gateway


def grade(client: httpx.Client, rubric_id: str, transcript: str) -> dict:
    response = client.post("/grade", json={"rubric_id": rubric_id, "student_id": "it-review",
                                           "submission": {"oral_transcript": transcript}})
    assert response.status_code == 200, response.text
    return response.json()


def test_the_sample_against_its_own_rubric_is_released_without_review(client):
    result = grade(client, "stroke_v1", sample("stroke_interview.txt"))
    assert (result["needs_review"], result["review_reasons"]) == (False, [])
    assert result["details"]["key_questions"]["details"]["rubric_fit"]["fits"] is True


def test_an_unlabelled_transcript_needs_review_as_a_monologue(client):
    unlabelled = "\n".join(line.split(": ", 1)[-1] for line in sample("stroke_interview.txt").splitlines())
    result = grade(client, "stroke_v1", unlabelled)
    assert result["needs_review"] is True and "monologue" in result["review_reasons"]
    monologue = next(w for w in result["warnings"] if w["code"] == "monologue")
    assert "No speaker labels" in monologue["message"]


def test_the_wrong_rubric_needs_review_and_names_the_rubric(client):
    result = grade(client, "stroke_v1", sample("chest_pain_interview.txt"))
    assert result["needs_review"] is True and "rubric_misfit" in result["review_reasons"]
    misfit = next(w for w in result["warnings"] if w["code"] == "rubric_misfit")
    assert "'stroke_v1'" in misfit["message"] and misfit["utterances"]


def test_dictated_notes_are_not_graded_as_questions(client):
    result = grade(client, "chest_pain_v1", ACI_BENCH_D2N026.read_text(encoding="utf-8"))
    cited = {q["utterance_index"] for q in result["details"]["key_questions"]["details"]["questions"] if q["asked"]}
    assert 0 not in cited  # the dictated preamble ("chief complaint is left arm pain") asks nothing
    assert not {"monologue", "roles_inferred"} & set(result["review_reasons"])
