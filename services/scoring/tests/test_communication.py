from __future__ import annotations

from medgrade_shared.models.rubric import Rubric
from scoring.evaluators.communication import score_communication


def test_observed_behaviours_are_cited_at_their_first_line(chest, make_parsed) -> None:
    parsed = make_parsed([
        ("patient", "I understand you are busy."),
        ("interviewer", "Hi, my name is Sam."),
        ("interviewer", "And my name is on the badge."),
    ])
    result = score_communication(chest, parsed)

    # Empathy appears only in the patient's line, so it is not observed.
    assert result.score == 0.5
    assert result.successes[0].citations == ["rubric://chest_pain_v1#C.intro", "student://oral#00:10-00:18"]
    assert result.violations[0].citations == ["rubric://chest_pain_v1#C.empathy"]
    assert result.details["behaviours"][0]["utterance_index"] == 1


def test_all_behaviours_observed(chest, chest_transcript) -> None:
    assert score_communication(chest, chest_transcript).score == 1.0


PRESENTATION_BEHAVIOURS = [
    {"id": "problem_statement", "label": "Opens with a one-line problem statement", "phrases": ["year old"]},
    {"id": "pertinent_negatives", "label": "States pertinent negatives", "phrases": ["denies"]},
]


def test_a_presentation_is_judged_on_the_presentation_behaviours(chest_dict, make_parsed) -> None:
    chest_dict["communication"]["presentation_behaviours"] = PRESENTATION_BEHAVIOURS
    parsed = make_parsed([("interviewer", "Mr Smith is a 55-year-old man with chest pain. My name is Sam."),
                          ("interviewer", "He has had it since this morning.")])
    result = score_communication(Rubric.model_validate(chest_dict), parsed, "presentation")

    assert result.score == 0.5  # the opening statement, not the negatives; "my name is" does not count here
    assert [item.citations[0] for item in result.successes] == ["rubric://chest_pain_v1#C.problem_statement"]
    assert [item.citations[0] for item in result.violations] == ["rubric://chest_pain_v1#C.pertinent_negatives"]
    assert result.details["kind"] == "presentation"


def test_without_presentation_behaviours_a_presentation_gets_no_communication_feedback(chest, make_parsed) -> None:
    parsed = make_parsed([("interviewer", "Hello, my name is Sam. Mr Smith is a 55-year-old man.")])
    result = score_communication(chest, parsed, "presentation")

    assert (result.successes, result.violations, result.details["assessed"]) == ([], [], False)
