"""Grade the two samples through the running services and check what a reader of the
transcripts expects (samples/EXPECTED.md): matches, first-asking lines, sections, scores."""

from __future__ import annotations

import httpx
import pytest

from medgrade_shared.citations import rubric_anchor, validate_citation
from medgrade_shared.models.grading import GradingResult
from medgrade_shared.models.rubric import Rubric

from .conftest import RUBRICS, internal_headers, sample

STROKE_ASKED = {"onset_time": "00:29", "weakness": "01:05", "speech": "01:47", "headache": "02:45",
                "vision": "02:53", "hypertension": "03:35", "diabetes": "03:35", "prior_stroke": "03:49",
                "atrial_fibrillation": "03:58", "smoking": "04:56", "family_history": "05:43"}
STROKE_NOT_ASKED = {"anticoagulants", "head_injury", "seizure"}
CHEST_ASKED = {"site": "00:29", "onset": "00:41", "character": "00:59", "radiation": "01:10",
               "associated_symptoms": "01:22", "timing": "01:43", "exacerbating_relieving": "01:51",
               "prior_heart_disease": "03:04", "cardiac_risk_factors": "03:14", "medications": "03:37",
               "smoking": "04:01", "family_history": "04:28"}
CHEST_NOT_ASKED = {"severity", "vte_risk"}


def grade(api, rubric_id: str, transcript: str, **extra) -> dict:
    response = api.post("/grade", json={"rubric_id": rubric_id, "student_id": "it-student",
                                        "submission": {"oral_transcript": transcript, **extra}})
    assert response.status_code == 200, response.text
    return response.json()


def questions(result: dict) -> dict[str, dict]:
    return {q["id"]: q for q in result["details"]["key_questions"]["details"]["questions"]}


@pytest.fixture(scope="module")
def stroke(api) -> dict:
    return grade(api, "stroke_v1", sample("stroke_interview.txt"))


@pytest.fixture(scope="module")
def chest(api) -> dict:
    return grade(api, "chest_pain_v1", sample("chest_pain_interview.txt"))


def test_stroke_key_questions_match_the_transcript(stroke):
    found = questions(stroke)
    assert {qid for qid, q in found.items() if q["asked"]} == set(STROKE_ASKED)
    assert {qid for qid, q in found.items() if not q["asked"]} == STROKE_NOT_ASKED
    for qid, stamp in STROKE_ASKED.items():
        assert found[qid]["citation"].startswith(f"student://oral#{stamp}-"), qid
    assert stroke["components"]["key_questions"] == pytest.approx(14 / 19, abs=1e-6)


def test_patient_volunteering_a_fact_does_not_credit_the_student(stroke):
    anticoagulants = questions(stroke)["anticoagulants"]
    assert anticoagulants["asked"] is False and anticoagulants["citation"] is None


def test_stroke_sections_and_component_scores(stroke):
    assert stroke["detected_order"] == ["CC", "HPI", "ROS", "PMH", "MEDS", "ALLERGIES", "SH", "FH", "Summary"]
    assert stroke["summary"]["source"] == "transcript"
    assert stroke["components"]["structure"] == pytest.approx(1.0)
    assert stroke["components"]["reasoning"] == pytest.approx(1.0)
    assert stroke["components"]["summary"] == pytest.approx(0.9)
    weights = stroke["breakdown"]
    expected_overall = sum(entry["weight"] * entry["score"] for entry in weights.values())
    assert stroke["overall"] == pytest.approx(expected_overall, abs=1e-6)


def test_chest_pain_grading(chest):
    found = questions(chest)
    assert {qid for qid, q in found.items() if q["asked"]} == set(CHEST_ASKED)
    assert {qid for qid, q in found.items() if not q["asked"]} == CHEST_NOT_ASKED
    for qid, stamp in CHEST_ASKED.items():
        assert found[qid]["citation"].startswith(f"student://oral#{stamp}-"), qid
    assert chest["detected_order"] == ["CC", "HPI", "PMH", "MEDS", "ALLERGIES", "SH", "FH", "Summary"]
    assert chest["components"]["structure"] == pytest.approx(8 / 9, abs=1e-6)
    assert chest["components"]["key_questions"] == pytest.approx(17 / 19, abs=1e-6)
    assert chest["components"]["reasoning"] == pytest.approx(0.75)
    assert chest["components"]["summary"] == pytest.approx(1.0)


def test_a_separate_summary_text_is_scored_instead_of_the_transcript_summary(api):
    result = grade(api, "stroke_v1", sample("stroke_interview.txt"),
                   summary_text="A 68-year-old man with sudden left arm weakness.")
    assert result["summary"]["source"] == "summary_text"
    assert result["summary"]["tokens"] == 8


@pytest.mark.parametrize("fixture_name", ["stroke", "chest"])
def test_every_feedback_item_cites_an_existing_anchor_of_that_rubric(request, api, fixture_name):
    result = request.getfixturevalue(fixture_name)
    assert api.get(f"/gradings/{result['grading_id']}").json() == result
    anchors = _anchors(result)
    assert result["feedback"], "a grading of a real interview has feedback"
    for item in result["feedback"]:
        rubric_citations = [c for c in item["citations"] if c.startswith("rubric://")]
        assert rubric_citations, item
        for citation in item["citations"]:
            validate_citation(citation)
        for citation in rubric_citations:
            rubric_id, anchor = rubric_anchor(citation)
            assert rubric_id == result["rubric_id"] and anchor in anchors, citation
        if item["component"] in ("key_questions", "reasoning") and item["kind"] == "success":
            assert any(c.startswith("student://") for c in item["citations"]), item
    assert result["dropped_feedback"] == 0


def _anchors(result: dict) -> set[str]:
    """Anchors of the rubric version the result was graded with, read from the rubric service."""
    doc = httpx.get(f"{RUBRICS}/rubrics/{result['rubric_id']}",
                    params={"version": result["rubric_version"]}, headers=internal_headers()).json()
    return set(Rubric.model_validate(doc).anchors())


def test_same_request_twice_gives_identical_scores_and_feedback(api, stroke):
    again = grade(api, "stroke_v1", sample("stroke_interview.txt"))
    assert again["grading_id"] != stroke["grading_id"]
    for field in ("overall", "components", "breakdown", "feedback", "details", "sections", "detected_order"):
        assert again[field] == stroke[field], field


@pytest.mark.parametrize("fixture_name", ["stroke", "chest"])
def test_a_real_grading_as_stored_is_a_valid_grading_result(request, api, suite, fixture_name):
    result = request.getfixturevalue(fixture_name)
    assert f"{result['grading_id']}.json" in suite.stored_gradings()
    stored = api.get(f"/gradings/{result['grading_id']}").content  # the stored document, as it is
    assert GradingResult.model_validate_json(stored).grading_id == result["grading_id"]
