from __future__ import annotations

import pytest
from pydantic import ValidationError

from medgrade_shared.models.rubric import Rubric

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
