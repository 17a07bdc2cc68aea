"""The warnings of a grading and when it needs review, from the parse and the key-question details."""

from __future__ import annotations

from grading_orchestrator.review import UNCERTAIN_SWING, grading_warnings, needs_review

PARSED = {"utterances": [], "warnings": []}
MONOLOGUE = {"code": "monologue", "message": "No speaker labels were found.", "utterances": []}
UNSTAMPED = {"code": "unstamped_utterances", "message": "2 utterance(s) had no time stamp.", "utterances": [3, 4]}


def key_questions(fits: bool | None = True, uncertain_share: float = 0.0) -> dict:
    questions = [{"label": "Site of the pain", "uncertain": uncertain_share > 0},
                 {"label": "Onset", "uncertain": False}]
    return {"details": {"rubric_fit": {"similarity": 0.2, "threshold": 0.41, "fits": fits, "utterance_index": 1},
                        "uncertain_share": uncertain_share, "questions": questions}}


def test_parse_warnings_carry_over_and_only_some_need_review() -> None:
    parsed = {**PARSED, "warnings": [UNSTAMPED, MONOLOGUE]}
    warnings = grading_warnings("demo_v1", "interview", parsed, {"key_questions": key_questions()}, {})
    assert [w.code for w in warnings] == ["unstamped_utterances", "monologue"]
    assert warnings[0].utterances == [3, 4]
    assert needs_review(warnings) == ["monologue"]


def test_a_rubric_that_does_not_fit_is_flagged_with_the_utterance_it_read() -> None:
    warnings = grading_warnings("chest_pain_v1", "interview", PARSED, {"key_questions": key_questions(fits=False)}, {})
    assert [(w.code, w.utterances) for w in warnings] == [("rubric_misfit", [1])]
    assert "'chest_pain_v1'" in warnings[0].message and "right rubric" in warnings[0].message
    assert needs_review(warnings) == ["rubric_misfit"]


def test_an_unjudged_fit_is_not_a_misfit() -> None:
    assert grading_warnings("demo_v1", "interview", PARSED, {"key_questions": key_questions(fits=None)}, {}) == []


def test_uncertain_decisions_need_review_only_when_they_could_move_the_grade() -> None:
    breakdown = {"key_questions": {"weight": 0.5}}
    small = grading_warnings("demo_v1", "interview", PARSED, {"key_questions": key_questions(uncertain_share=0.1)},
                             breakdown)
    assert small == []
    share = 2 * UNCERTAIN_SWING / 0.5 + 0.01
    large = grading_warnings("demo_v1", "interview", PARSED, {"key_questions": key_questions(uncertain_share=share)},
                             breakdown)
    assert [w.code for w in large] == ["uncertain_decisions"]
    assert "Site of the pain" in large[0].message and "Onset" not in large[0].message


def test_without_key_questions_only_the_parse_speaks() -> None:
    assert grading_warnings("demo_v1", "interview", {**PARSED, "warnings": [MONOLOGUE]}, {}, {})[0].code == "monologue"


def test_a_presentation_is_a_monologue_by_nature_and_a_dialogue_is_what_is_flagged() -> None:
    no_questions = {"code": "no_interviewer_questions", "message": "No question.", "utterances": []}
    monologue = {**PARSED, "warnings": [MONOLOGUE, no_questions],
                 "speakers": [{"label": "Student", "role": "interviewer", "source": "monologue", "utterances": 9}]}
    assert grading_warnings("demo_v1", "presentation", monologue, {}, {}) == []

    dialogue = {**PARSED, "speakers": [{"label": "Dr", "role": "interviewer", "source": "label", "utterances": 5},
                                       {"label": "Pt", "role": "patient", "source": "label", "utterances": 5}]}
    warnings = grading_warnings("demo_v1", "presentation", dialogue, {}, {})
    assert [w.code for w in warnings] == ["presentation_dialogue"] and "'Pt'" in warnings[0].message
    assert needs_review(warnings) == ["presentation_dialogue"]
    assert grading_warnings("demo_v1", "interview", dialogue, {}, {}) == []
