from __future__ import annotations

import pytest

from medgrade_shared.errors import Invalid
from medgrade_shared.models.rubric import Rubric
from medgrade_shared.models.transcript import ParsedTranscript, SummaryText
from scoring.evaluators.summary import score_summary


def test_short_summary_with_all_elements_scores_one(chest, chest_transcript) -> None:
    result = score_summary(chest, chest_transcript)

    assert result.score == 1.0
    assert result.details["matched"] == ["age_sex", "onset"]
    assert [item.citations for item in result.successes] == [
        ["rubric://chest_pain_v1#SUM.age_sex", "student://summary#tokens=10"],
        ["rubric://chest_pain_v1#SUM.onset", "student://summary#tokens=10"],
    ]


def test_overflow_reduces_the_length_half_and_cites_the_token_count(chest, make_parsed) -> None:
    summary = "A 60-year-old woman " + " ".join(["word"] * 32)  # 35 tokens: 5 over 30
    result = score_summary(chest, make_parsed(summary=summary))

    assert result.details["overflow"] == 5
    assert result.score == pytest.approx(0.5 * 0.5 + 0.5 * 1 / 2)
    overflow = result.violations[0]
    assert overflow.citations == ["rubric://chest_pain_v1#SUM", "student://summary#tokens=35"]
    assert result.violations[1].citations == ["rubric://chest_pain_v1#SUM.onset"]


def test_length_half_bottoms_out_at_zero(chest, make_parsed) -> None:
    summary = "55-year-old man, onset this morning " + " ".join(["word"] * 60)
    result = score_summary(chest, make_parsed(summary=summary))

    assert result.details["length_term"] == 0.0
    assert result.score == 0.5
    assert result.violations[0].severity == "major"


def test_token_count_from_the_text_when_the_parser_gave_none(chest) -> None:
    parsed = ParsedTranscript(utterances=[], summary=SummaryText(text=" ".join(["x"] * 40), source="summary_text"))

    assert score_summary(chest, parsed).details["tokens"] == 40


@pytest.mark.parametrize("summary", [None, "  \n "])
def test_no_summary_scores_zero_and_says_so(chest, make_parsed, summary) -> None:
    result = score_summary(chest, make_parsed(summary=summary))

    assert result.details["matched"] == []
    assert (result.details["length_term"], result.score) == (0.0, 0.0)
    assert "No summary was found, so the summary scores 0" in result.violations[0].message
    assert [item.citations[0] for item in result.violations] == [
        "rubric://chest_pain_v1#SUM", "rubric://chest_pain_v1#SUM.age_sex", "rubric://chest_pain_v1#SUM.onset"]


def test_reference_bare_string_elements(stroke, make_parsed) -> None:
    result = score_summary(stroke, make_parsed(summary="Patient, age 70, with left arm weakness."))

    assert result.details["matched"] == ["age", "weakness"]
    assert result.score == 1.0


def _with_findings(rubric: Rubric, min_count: object) -> Rubric:
    data = rubric.model_dump()
    data["summary"]["required_elements"] = [
        {"id": "findings", "label": "at least two positive findings", "min_count": min_count,
         "patterns": [r"\bfever\b", r"\bcough\b", r"\brash\b"]}]
    return Rubric.model_validate(data)


def test_counted_element_needs_min_count_distinct_patterns(chest, make_parsed) -> None:
    rubric = _with_findings(chest, 2)
    both = score_summary(rubric, make_parsed(summary="Fever and a dry cough for two days."))
    one = score_summary(rubric, make_parsed(summary="Fever, fever and more fever."))

    assert both.details["matched"] == ["findings"]
    assert both.details["counts"] == {"findings": {"found": 2, "required": 2}}
    assert both.successes[0].citations == ["rubric://chest_pain_v1#SUM.findings", "student://summary#tokens=8"]
    assert one.details["matched"] == []
    assert one.details["counts"] == {"findings": {"found": 1, "required": 2}}
    assert one.violations[-1].citations == ["rubric://chest_pain_v1#SUM.findings"]


def test_min_count_defaults_to_any_pattern(chest, chest_transcript) -> None:
    assert score_summary(chest, chest_transcript).details["counts"]["onset"] == {"found": 1, "required": 1}


@pytest.mark.parametrize("min_count", [0, 4, "2", True])
def test_min_count_out_of_range_is_refused(chest, make_parsed, min_count) -> None:
    with pytest.raises(Invalid) as error:
        score_summary(_with_findings(chest, min_count), make_parsed(summary="fever"))
    assert error.value.code == "invalid_rubric"
    assert "'findings'" in error.value.message
