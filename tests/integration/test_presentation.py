"""An oral case presentation graded through the real nginx gateway and services, as
samples/EXPECTED.md says: what it states is covered, interview-only behaviours never appear, and
an interview-only rubric refuses it."""

from __future__ import annotations

import uuid

import pytest

from .conftest import sample

COVERED = {"onset_time": 0, "weakness": 0, "speech": 0, "headache": 4, "vision": 5, "atrial_fibrillation": 6,
           "hypertension": 6, "prior_stroke": 7, "diabetes": 8, "anticoagulants": 9, "smoking": 10}
NOT_COVERED = {"family_history"}
KNOWN_ERRORS = {"head_injury": 14, "seizure": 4}  # left out, yet credited by meaning alone: flagged uncertain
INTERVIEW_ONLY = ("Introduces self", "Opens with an open question", "Did not ask", "Asked about")


@pytest.fixture(scope="module")
def presentation(gateway, suite) -> dict:
    key = suite.keys_cli("create", "--name", f"it-{uuid.uuid4().hex[:10]}", "--scopes", "grade")
    response = gateway.post("/grade", headers={"X-API-Key": key}, json={
        "rubric_id": "stroke_v1", "student_id": "it-presenter", "kind": "presentation",
        "submission": {"oral_transcript": sample("stroke_presentation.txt")}})
    assert response.status_code == 200, response.text
    return response.json()


def test_what_the_presentation_states_is_covered_and_cited(presentation):
    questions = {q["id"]: q for q in presentation["details"]["key_questions"]["details"]["questions"]}
    assert {qid for qid, q in questions.items() if q["asked"]} == set(COVERED) | set(KNOWN_ERRORS)
    assert {qid for qid, q in questions.items() if not q["asked"]} == NOT_COVERED
    for qid, index in COVERED.items():
        assert questions[qid]["utterance_index"] == index, qid
        assert questions[qid]["citation"] == f"student://oral#utt={index}", qid
        assert not questions[qid]["uncertain"], qid
    for qid, index in KNOWN_ERRORS.items():
        assert (questions[qid]["utterance_index"], questions[qid]["method"]) == (index, "semantic"), qid
        assert questions[qid]["uncertain"], qid
    assert questions["headache"]["sentence"] == "He denies headache, and there was no loss of consciousness."
    assert presentation["components"]["key_questions"] == pytest.approx(18 / 19, abs=1e-6)


def test_the_grade_is_a_presentation_grade(presentation):
    assert presentation["kind"] == "presentation"
    assert presentation["components"]["reasoning"] == pytest.approx(1.0)
    assert presentation["components"]["summary"] == pytest.approx(0.9)
    assert presentation["components"]["communication"] == pytest.approx(1.0)
    assert presentation["detected_order"] == ["HPI", "ROS", "PMH", "MEDS", "SH", "Summary"]
    assert presentation["components"]["structure"] == pytest.approx(6 / 9, abs=1e-6)
    observed = {b["id"] for b in presentation["details"]["communication"]["details"]["behaviours"] if b["observed"]}
    assert observed == {"problem_statement", "pertinent_negatives", "closing_summary", "assessment"}
    messages = [item["message"] for item in presentation["feedback"]]
    assert not [m for m in messages if m.startswith(INTERVIEW_ONLY)], messages
    assert "Did not report Family history of stroke or vascular disease." in messages
    assert [w["code"] for w in presentation["warnings"]] == []  # a monologue is what a presentation is
    assert presentation["needs_review"] is False
    assert presentation["overall"] == pytest.approx(
        sum(entry["weighted"] for entry in presentation["breakdown"].values()), abs=1e-5)


def test_the_same_text_as_an_interview_is_flagged_as_a_monologue(gateway, new_key):
    _, key = new_key("grade")
    response = gateway.post("/grade", headers={"X-API-Key": key}, json={
        "rubric_id": "stroke_v1", "student_id": "it-presenter",
        "submission": {"oral_transcript": sample("stroke_presentation.txt")}})
    assert response.status_code == 200
    assert response.json()["kind"] == "interview"
    assert "monologue" in response.json()["review_reasons"]


def test_a_dialogue_sent_as_a_presentation_is_flagged(gateway, new_key):
    _, key = new_key("grade")
    response = gateway.post("/grade", headers={"X-API-Key": key}, json={
        "rubric_id": "stroke_v1", "student_id": "it-presenter", "kind": "presentation",
        "submission": {"oral_transcript": sample("stroke_interview.txt")}})
    assert response.status_code == 200
    assert "presentation_dialogue" in response.json()["review_reasons"]
