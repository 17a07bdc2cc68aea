from __future__ import annotations

import time

import pytest

from medgrade_shared.errors import Invalid
from medgrade_shared.models.rubric import Rubric
from scoring.evaluators.reasoning import score_reasoning


def _links(result) -> dict[str, dict]:
    return {link["id"]: link for link in result.details["links"]}


def _with_links(rubric: Rubric, links: list[dict], major_gap_penalty: float = 0.0) -> Rubric:
    data = rubric.model_dump()
    data["reasoning"] = {"anchor": "R", "major_gap_penalty": major_gap_penalty, "required_links": links}
    return Rubric.model_validate(data)


def test_detected_link_has_dual_citation(chest, chest_transcript) -> None:
    result = score_reasoning(chest, chest_transcript)
    links = _links(result)

    assert links["acs"]["detected"] is True
    assert links["acs"]["utterance_index"] == 4
    [success] = result.successes
    assert success.citations == ["rubric://chest_pain_v1#R.acs", "student://oral#00:40-00:48"]
    # 'pe' is a word: 'spread', 'type' or 'pep' never count; one of two links, none major missing.
    assert links["pe"]["detected"] is False
    assert result.violations[0].citations == ["rubric://chest_pain_v1#R.pe"]
    assert result.violations[0].severity == "minor"
    assert result.score == 0.5


def test_word_boundary_pattern_matches_a_whole_word(chest, make_parsed) -> None:
    parsed = make_parsed([("interviewer", "What type of pain? We must rule out PE today.")])

    assert _links(score_reasoning(chest, parsed))["pe"]["detected"] is True


def test_missing_major_link_subtracts_the_gap_penalty(chest, make_parsed) -> None:
    result = score_reasoning(chest, make_parsed([("interviewer", "We should rule out a PE.")]))

    assert result.details["missing_major"] == 1
    assert result.score == pytest.approx(1 / 2 - 0.25)
    assert {item.citations[0]: item.severity for item in result.violations} == {
        "rubric://chest_pain_v1#R.acs": "major"}


def test_without_major_links_score_is_exactly_the_ratio(chest, make_parsed) -> None:
    rubric = _with_links(chest, [{"id": "a", "pattern": r"\balpha\b"}, {"id": "b", "pattern": r"\bbeta\b"},
                                 {"id": "c", "pattern": r"\bgamma\b"}], major_gap_penalty=0.5)
    result = score_reasoning(rubric, make_parsed([("interviewer", "alpha then beta")]))

    assert result.score == pytest.approx(2 / 3, abs=1e-6)


def test_patient_lines_do_not_count(chest, make_parsed) -> None:
    parsed = make_parsed([("patient", "I smoke a lot, could it be ACS or a PE?")])

    assert score_reasoning(chest, parsed).details["detected"] == 0


def test_written_summary_is_searched_and_cited(chest, make_parsed) -> None:
    parsed = make_parsed([("interviewer", "Any other symptoms?")],
                         summary="Smoker and diabetic, so acute coronary syndrome leads.")
    result = score_reasoning(chest, parsed)

    assert _links(result)["acs"]["source"] == "summary"
    assert result.successes[0].citations == ["rubric://chest_pain_v1#R.acs", "student://summary#tokens=8"]


def test_summary_taken_from_the_transcript_is_not_searched_twice(chest, make_parsed) -> None:
    parsed = make_parsed([("interviewer", "Any other symptoms?")], summary="Smoker, so ACS leads.",
                         summary_source="transcript")

    assert _links(score_reasoning(chest, parsed))["acs"]["detected"] is False


def test_catastrophic_pattern_runs_in_linear_time(chest, make_parsed) -> None:
    rubric = _with_links(chest, [{"id": "evil", "pattern": "(a+)+$"}])
    parsed = make_parsed([("interviewer", "a" * 200_000 + "!")])

    started = time.perf_counter()
    result = score_reasoning(rubric, parsed)

    assert time.perf_counter() - started < 1.0
    assert result.details["detected"] == 0


def test_invalid_pattern_is_a_422_naming_the_link(chest, make_parsed) -> None:
    rubric = _with_links(chest, [{"id": "backref", "pattern": r"(a)\1"}])

    with pytest.raises(Invalid) as error:
        score_reasoning(rubric, make_parsed([("interviewer", "aa")]))
    assert error.value.code == "invalid_rubric"
    assert "'backref'" in error.value.message
    assert error.value.details["problems"][0]["loc"] == ["reasoning", "required_links", 0, "pattern"]


def test_link_across_adjacent_sentences_of_one_turn_cites_both(chest, make_parsed) -> None:
    parsed = make_parsed([("patient", "I smoke."),
                          ("interviewer", "Thanks. You are a smoker and diabetic. So ACS is my main worry.")])
    link = _links(score_reasoning(chest, parsed))["acs"]

    assert (link["detected"], link["utterance_index"], link["sentences"]) == (True, 1, [1, 2])
    assert link["citation"] == "student://oral#00:10-00:18"


def test_single_sentence_link_names_its_sentence(chest, chest_transcript) -> None:
    assert _links(score_reasoning(chest, chest_transcript))["acs"]["sentences"] == [0, 0]


def test_link_never_spans_two_turns_or_distant_sentences(chest, make_parsed) -> None:
    two_turns = make_parsed([("interviewer", "You are a smoker."), ("interviewer", "ACS is my main worry.")])
    distant = make_parsed([("interviewer", "You are a smoker. How is the pain now? Right. ACS is my main worry.")])

    assert _links(score_reasoning(chest, two_turns))["acs"]["detected"] is False
    assert _links(score_reasoning(chest, distant))["acs"]["detected"] is False
