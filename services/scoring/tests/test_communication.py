from __future__ import annotations

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
