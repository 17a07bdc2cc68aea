from __future__ import annotations

import pytest
from pydantic import ValidationError

from medgrade_shared.errors import Invalid
from medgrade_shared.models.rubric import Rubric
from medgrade_shared.models.scoring import ComponentResult, FeedbackItem
from scoring.evaluators.aggregate import aggregate
from scoring.evaluators.communication import score_communication
from scoring.evaluators.key_questions import score_key_questions
from scoring.evaluators.reasoning import score_reasoning
from scoring.evaluators.structure import score_structure
from scoring.evaluators.summary import score_summary

EVALUATORS = {
    "structure": score_structure,
    "key_questions": score_key_questions,
    "reasoning": score_reasoning,
    "summary": score_summary,
    "communication": score_communication,
}


@pytest.fixture
def components(chest, chest_transcript) -> dict[str, ComponentResult]:
    return {name: evaluate(chest, chest_transcript) for name, evaluate in EVALUATORS.items()}


def _item(citation: str, kind: str = "violation") -> FeedbackItem:
    return FeedbackItem(component="key_questions", kind=kind, message="checked", citations=[citation])


def test_overall_is_the_weighted_sum(chest, components) -> None:
    result = aggregate(chest, components)

    scores = {name: c.score for name, c in components.items()}
    # structure 1, key questions 3/4, reasoning 1/2, summary 1, communication 1.
    assert scores == {"structure": 1.0, "key_questions": 0.75, "reasoning": 0.5, "summary": 1.0,
                      "communication": 1.0}
    assert result.overall == pytest.approx(0.2 + 0.3 * 0.75 + 0.2 * 0.5 + 0.2 + 0.1)
    assert result.breakdown["key_questions"].model_dump() == {"score": 0.75, "weight": 0.3, "weighted": 0.225}
    assert result.dropped_feedback == 0


def test_feedback_order_is_component_then_violations_then_rubric_order(chest, components) -> None:
    feedback = aggregate(chest, components).feedback

    assert [(item.component, item.kind, item.citations[0].split("#")[1]) for item in feedback] == [
        ("structure", "success", "S.order"),
        ("key_questions", "violation", "Q.exertion"),
        ("key_questions", "success", "Q.radiation"),
        ("reasoning", "violation", "R.pe"),
        ("reasoning", "success", "R.acs"),
        ("summary", "success", "SUM.age_sex"),
        ("summary", "success", "SUM.onset"),
        ("communication", "success", "C.intro"),
        ("communication", "success", "C.empathy"),
    ]


def test_weighted_component_missing_is_refused(chest, components) -> None:
    del components["communication"], components["reasoning"]

    with pytest.raises(Invalid) as error:
        aggregate(chest, components)
    assert error.value.code == "missing_components"
    assert error.value.details == {"missing": ["reasoning", "communication"]}


def test_zero_weight_component_may_be_absent(stroke, make_parsed) -> None:
    parsed = make_parsed([("interviewer", "When did it start?")], detected_order=["CC", "HPI", "ROS", "PMH", "Summary"],
                         summary="Age 70, sudden weakness.")
    weighted = ("structure", "key_questions", "reasoning", "summary")
    present = {name: EVALUATORS[name](stroke, parsed) for name in weighted}

    result = aggregate(stroke, present)

    assert list(result.breakdown) == list(weighted)
    # structure 1, key questions 2/6, reasoning 0, summary 1 (communication weighs 0).
    assert result.overall == pytest.approx(0.2 + 0.35 * 2 / 6 + 0.2, abs=1e-6)


def test_component_filed_under_the_wrong_name_is_refused(chest, components) -> None:
    components["summary"] = components["reasoning"]

    with pytest.raises(Invalid) as error:
        aggregate(chest, components)
    assert error.value.code == "component_mismatch"


@pytest.mark.parametrize("communication", [0.5, 0.0])
def test_weights_not_summing_to_one_are_refused(chest_dict, components, communication) -> None:
    chest_dict["weights"]["communication"] = communication

    with pytest.raises(Invalid) as error:
        aggregate(Rubric.model_validate(chest_dict), components)
    assert error.value.code == "invalid_rubric"
    assert [p["check"] for p in error.value.details["problems"]] == ["weights"]
    assert "must sum to 1.0" in error.value.message


def test_a_component_weighing_zero_says_nothing_to_the_student(chest_dict, components) -> None:
    chest_dict["weights"].update(communication=0.0, structure=0.3)

    result = aggregate(Rubric.model_validate(chest_dict), components)

    assert "communication" not in result.breakdown
    assert sum(entry.weight for entry in result.breakdown.values()) == pytest.approx(1.0)
    assert {item.component for item in result.feedback} == {"structure", "key_questions", "reasoning", "summary"}


def test_feedback_item_without_rubric_citation_cannot_be_built() -> None:
    with pytest.raises(ValidationError, match="rubric:// citation"):
        FeedbackItem(component="reasoning", kind="success", message="uncited", citations=["student://oral#00:01-00:02"])


def test_items_citing_unknown_anchors_or_another_rubric_are_dropped(chest, components) -> None:
    kept = _item("rubric://chest_pain_v1#Q.radiation")
    unknown_anchor = _item("rubric://chest_pain_v1#Q.removed_in_v2")
    other_rubric = _item("rubric://stroke_v1#Q.radiation")
    components["key_questions"] = ComponentResult(component="key_questions", score=0.5,
                                                  violations=[unknown_anchor, kept, other_rubric])

    result = aggregate(chest, components)

    assert result.dropped_feedback == 2
    assert [item for item in result.feedback if item.component == "key_questions"] == [kept]


def test_same_input_gives_the_same_output(chest, components) -> None:
    assert aggregate(chest, components).model_dump() == aggregate(chest, dict(components)).model_dump()


def test_a_presentation_without_presentation_behaviours_is_graded_on_the_other_components(chest, make_parsed) -> None:
    parsed = make_parsed([("interviewer", "Mr Smith is a 55-year-old man with crushing chest pain since this morning."),
                          ("interviewer", "In summary, this is likely an acute coronary syndrome.")],
                         detected_order=["CC", "HPI", "Summary"])
    scored = {name: (score_key_questions(chest, parsed, kind="presentation") if name == "key_questions"
                     else score_communication(chest, parsed, "presentation") if name == "communication"
                     else evaluate(chest, parsed))
              for name, evaluate in EVALUATORS.items() if name != "communication"}

    with pytest.raises(Invalid):
        aggregate(chest, scored)  # an interview needs communication
    result = aggregate(chest, scored, "presentation")

    assert set(result.breakdown) == {"structure", "key_questions", "reasoning", "summary"}
    assert sum(entry.weight for entry in result.breakdown.values()) == pytest.approx(1.0)
    assert result.overall == pytest.approx(sum(entry.weighted for entry in result.breakdown.values()), abs=1e-5)
    assert all(item.component != "communication" for item in result.feedback)
