from __future__ import annotations

import pytest
from medgrade_shared.citations import validate_citation
from medgrade_shared.errors import ApiError
from medgrade_shared.models.rubric import Rubric

from scoring.evaluators.key_questions import score_key_questions

INTERVIEW = [
    ("interviewer", "Hello, what brings you in today?"),
    ("patient", "My wife says I had a stroke before, and I take warfarin."),
    ("interviewer", "When did the weakness start?"),
    ("patient", "About nine this morning."),
    ("interviewer", "Do you take any blood thinners?"),
    ("interviewer", "Any strokes in the past?"),
    ("patient", "No."),
    ("interviewer", "So you have never had a stroke?"),
    ("interviewer", "What time did you last feel normal?"),
]


def _questions(result) -> dict[str, dict]:
    return {q["id"]: q for q in result.details["questions"]}


def test_weighted_score_and_per_question_details(stroke, make_parsed) -> None:
    result = score_key_questions(stroke, make_parsed(INTERVIEW))
    questions = _questions(result)

    # critical 2 + 2, non-critical 1 + 1; smoking was never asked.
    assert result.score == pytest.approx(5 / 6)
    assert questions["onset_time"] == {
        "id": "onset_time", "anchor": "Q.onset_time", "label": "time of onset", "critical": True, "asked": True,
        "confidence": 1.0, "matched_phrase": "when did", "method": "lexical", "utterance_index": 2,
        "citation": "student://oral#00:20-00:28",
    }
    assert questions["smoking"]["asked"] is False
    assert questions["smoking"]["confidence"] == 0.0
    assert questions["smoking"]["citation"] is None
    assert result.details["matcher"] == "lexical"
    assert result.details["matcher_version"] == "1"
    assert result.details["coverage"] == pytest.approx(5 / 6)
    assert result.details["meets_threshold"] is True


def test_label_counts_as_a_phrase(stroke, make_parsed) -> None:
    question = _questions(score_key_questions(stroke, make_parsed(INTERVIEW)))["anticoagulants"]

    assert question["matched_phrase"] == "blood thinners"
    assert question["utterance_index"] == 4


def test_patient_lines_never_count(stroke, make_parsed) -> None:
    # The patient says 'stroke' and 'warfarin'; only interviewer lines may ask.
    result = score_key_questions(stroke, make_parsed(INTERVIEW[:2]))
    questions = _questions(result)

    assert questions["anticoagulants"]["asked"] is False
    assert questions["prior_stroke"]["asked"] is False
    assert result.score == 0.0


def test_match_is_word_bounded_and_cites_the_first_asking_line(stroke, make_parsed) -> None:
    # 'strokes' (line 5) is not the phrase 'stroke'; line 7 is the first real ask.
    question = _questions(score_key_questions(stroke, make_parsed(INTERVIEW)))["prior_stroke"]

    assert question["utterance_index"] == 7
    assert question["citation"] == "student://oral#01:10-01:18"


def test_first_utterance_is_cited_when_asked_twice(stroke, make_parsed) -> None:
    # onset is asked on line 2 ('when did') and again on line 8 ('what time').
    assert _questions(score_key_questions(stroke, make_parsed(INTERVIEW)))["onset_time"]["utterance_index"] == 2


def test_feedback_cites_rubric_and_student_span(stroke, make_parsed) -> None:
    result = score_key_questions(stroke, make_parsed(INTERVIEW))

    assert {tuple(item.citations) for item in result.successes} == {
        ("rubric://stroke_v1#Q.onset_time", "student://oral#00:20-00:28"),
        ("rubric://stroke_v1#Q.anticoagulants", "student://oral#00:40-00:48"),
        ("rubric://stroke_v1#Q.prior_stroke", "student://oral#01:10-01:18"),
    }
    [missed] = result.violations
    assert missed.citations == ["rubric://stroke_v1#Q.smoking"]
    assert missed.severity == "minor"
    for item in result.successes + result.violations:
        for citation in item.citations:
            validate_citation(citation)


def test_missed_critical_question_is_a_critical_violation(stroke, make_parsed) -> None:
    result = score_key_questions(stroke, make_parsed([("interviewer", "When did it start?")]))
    severities = {item.citations[0]: item.severity for item in result.violations}

    assert severities["rubric://stroke_v1#Q.anticoagulants"] == "critical"
    assert severities["rubric://stroke_v1#Q.smoking"] == "minor"
    assert result.score == pytest.approx(2 / 6)
    assert result.details["meets_threshold"] is False


def test_untimed_transcript_cites_the_utterance_index(stroke, make_parsed) -> None:
    question = _questions(score_key_questions(stroke, make_parsed(INTERVIEW, timed=False)))["onset_time"]

    assert question["citation"] == "student://oral#utt=2"


def test_rubric_without_questions_scores_one_and_says_why(stroke, make_parsed) -> None:
    rubric = Rubric.model_validate({**stroke.model_dump(), "key_questions": []})
    result = score_key_questions(rubric, make_parsed(INTERVIEW))

    assert result.score == 1.0
    assert "no key questions" in result.details["note"]


def test_zero_weights_are_refused(stroke, make_parsed) -> None:
    data = stroke.model_dump()
    data["key_questions_policy"] = {"critical_weight": 0, "noncritical_weight": 0}

    with pytest.raises(ApiError) as error:
        score_key_questions(Rubric.model_validate(data), make_parsed(INTERVIEW))
    assert (error.value.status_code, error.value.code) == (422, "invalid_rubric")
