from __future__ import annotations

import pytest
from pydantic import ValidationError

from medgrade_shared.errors import Invalid
from medgrade_shared.formulas import weighted_overall
from medgrade_shared.models.components import COMPONENT_TABLE
from medgrade_shared.models.rubric import RUBRIC_IDENTITY, Rubric, Weights
from medgrade_shared.models.rubric_checks import require_kind, rubric_problems, scored_components
from medgrade_shared.models.vocabulary import COMPONENTS

REFERENCE_STYLE = {
    "rubric_id": "stroke_v1",
    "version": "1.0.0",
    "status": "approved",
    "weights": {"structure": 0.2, "key_questions": 0.5, "reasoning": 0.1, "summary": 0.2, "communication": 0.0},
    "structure": {"anchor": "S", "expected_order": ["CC", "HPI", "ROS", "Summary"],
                  "penalties": [{"id": "missing_summary", "penalty": -0.2},
                                {"id": "swap_ros_before_hpi", "value": -0.1}]},
    "key_questions": [{"id": "onset_time", "anchor": "Q.onset_time", "label": "Onset", "critical": True,
                       "phrases": ["when did it start"]}],
    "reasoning": {"required_links": [{"id": "tpa", "pattern": r"\btpa\b"}], "major_gap_penalty": 0.1},
    "summary": {"max_tokens": 100, "overflow_divisor": 50, "required_elements": ["age", "onset time"]},
    "x_reference_note": "unknown keys are kept",
}


def test_reference_style_rubric_loads_and_keeps_unknown_keys():
    rubric = Rubric.model_validate(REFERENCE_STYLE)
    missing, swap = rubric.structure.penalties
    assert missing.rule.missing == "Summary" and missing.value == -0.2
    assert swap.rule.before == ("ROS", "HPI")
    assert [e.id for e in rubric.summary.required_elements] == ["age", "onset_time"]
    assert rubric.model_dump()["x_reference_note"] == "unknown keys are kept"
    assert {"Q.onset_time", "S.missing_summary", "R.tpa", "SUM.age", "S"} <= rubric.anchors()


def test_penalty_without_rule_or_conventional_id_is_refused():
    bad = {**REFERENCE_STYLE, "structure": {"penalties": [{"id": "be_tidy", "value": -0.1}]}}
    with pytest.raises(ValidationError, match="rule"):
        Rubric.model_validate(bad)


def test_duplicate_anchors_are_refused():
    bad = {**REFERENCE_STYLE, "key_questions": [
        {"id": "a", "anchor": "Q.x", "label": "A"}, {"id": "b", "anchor": "Q.x", "label": "B"}]}
    with pytest.raises(ValidationError, match="anchor"):
        Rubric.model_validate(bad)


@pytest.mark.parametrize("rubric_id", ["../etc", "a/b", "A", "x" * 80, "a*", "a\x00"])
def test_unsafe_rubric_ids_are_refused(rubric_id):
    with pytest.raises(ValidationError):
        Rubric.model_validate({**REFERENCE_STYLE, "rubric_id": rubric_id})


# --- submission kinds -------------------------------------------------------------------------

def _weighted_rubric(**communication: object) -> Rubric:
    return Rubric.model_validate({
        "rubric_id": "kinds_v1", "weights": {"structure": 0.2, "key_questions": 0.5, "reasoning": 0.0,
                                             "summary": 0.1, "communication": 0.2},
        "communication": {"behaviours": [{"id": "intro", "label": "Introduces self", "phrases": ["my name is"]}],
                          **communication}})


def test_a_rubric_grades_both_kinds_unless_it_says_otherwise() -> None:
    assert _weighted_rubric().kinds == ["interview", "presentation"]
    only = Rubric.model_validate({**_weighted_rubric().model_dump(), "kinds": ["interview"]})
    with pytest.raises(Invalid) as refused:
        require_kind(only, "presentation")
    assert refused.value.code == "kind_not_accepted"
    assert "interviews only" in refused.value.message
    require_kind(only, "interview")


def test_communication_is_scored_for_a_presentation_only_with_presentation_behaviours() -> None:
    plain = _weighted_rubric()
    assert scored_components(plain, "interview") == ["structure", "key_questions", "summary", "communication"]
    assert scored_components(plain, "presentation") == ["structure", "key_questions", "summary"]
    with_them = _weighted_rubric(presentation_behaviours=[
        {"id": "negatives", "label": "States pertinent negatives", "phrases": ["denies"]}])
    assert scored_components(with_them, "presentation") == ["structure", "key_questions", "summary", "communication"]
    assert "C.negatives" in with_them.anchors()


def test_an_interview_behaviour_and_a_presentation_behaviour_may_not_share_an_anchor() -> None:
    with pytest.raises(ValidationError, match="used twice"):
        _weighted_rubric(presentation_behaviours=[{"id": "intro", "label": "Opens", "phrases": ["year old"]}])


def test_the_overall_leaves_out_what_does_not_apply_and_rescales_the_rest() -> None:
    weights = {"structure": 0.2, "key_questions": 0.5, "summary": 0.1, "communication": 0.2}
    every, breakdown = weighted_overall(weights, {"structure": 1.0, "key_questions": 0.5, "summary": 0.0,
                                                  "communication": 1.0})
    assert every == pytest.approx(0.65) and breakdown["key_questions"]["weight"] == 0.5
    without, breakdown = weighted_overall(weights, {"structure": 1.0, "key_questions": 0.5, "summary": 0.0})
    assert without == pytest.approx((0.2 * 1.0 + 0.5 * 0.5) / 0.8)
    assert sum(entry["weight"] for entry in breakdown.values()) == pytest.approx(1.0)
    assert sum(entry["weighted"] for entry in breakdown.values()) == pytest.approx(without)


def test_a_rubric_weighs_exactly_the_components_of_the_vocabulary() -> None:
    assert tuple(Weights.model_fields) == COMPONENTS
    assert tuple(Weights().as_dict()) == COMPONENTS


def test_every_rubric_field_goes_to_every_scorer_or_to_one_component() -> None:
    parts = [field for component in COMPONENT_TABLE.values() for field in component.rubric_parts]
    assert len(parts) == len(set(parts)) and not set(parts) & set(RUBRIC_IDENTITY)
    assert set(Rubric.model_fields) == set(parts) | set(RUBRIC_IDENTITY)


def test_a_component_gets_its_part_and_the_identity_only() -> None:
    rubric = Rubric.model_validate({
        "rubric_id": "chest_v1", "title": "Chest pain", "weights": {"key_questions": 0.5, "structure": 0.5},
        "structure": {"expected_order": ["CC", "HPI"]},
        "key_questions": [{"id": "onset", "label": "Onset", "phrases": ["when did it start"]}],
        "extra_note": "kept in storage, read by no scorer"})
    part = Rubric.model_validate_json(rubric.component_json("structure"))
    assert part.structure == rubric.structure and part.key_questions == []
    assert (part.rubric_id, part.title, part.weights) == (rubric.rubric_id, rubric.title, rubric.weights)
    assert "extra_note" not in rubric.component_json("structure")
    assert Rubric.model_validate_json(rubric.component_json("key_questions")).key_questions == rubric.key_questions


@pytest.mark.parametrize("name", COMPONENTS)
def test_each_component_entry_names_the_rubric_list_it_assesses(name: str) -> None:
    component = COMPONENT_TABLE[name]
    rubric = Rubric.model_validate({"rubric_id": "empty_v1", "weights": {name: 1.0}})
    assert component.assessed(rubric) == []
    assert set(component.rubric_parts) <= set(Rubric.model_fields) and component.items[0] in component.rubric_parts
    problems = [p for p in rubric_problems(rubric) if p.check == "empty_component"]
    assert [(p.component, p.loc) for p in problems] == [(name, list(component.items))]
    assert component.missing in problems[0].message
    assert Weights.model_fields[name].description == component.weight
