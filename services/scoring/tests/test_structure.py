from __future__ import annotations

import pytest

from medgrade_shared.models.rubric import Rubric
from scoring.evaluators.structure import lcs_length, score_structure


def _with_order(rubric: Rubric, expected: list[str]) -> Rubric:
    data = rubric.model_dump()
    data["structure"]["expected_order"] = expected
    data["structure"]["penalties"] = []
    return Rubric.model_validate(data)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("ABCBDAB", "BDCABA", 4), ("", "ABC", 0), ("ABC", "ABC", 3), ("ABC", "CBA", 1)],
)
def test_lcs_length(a: str, b: str, expected: int) -> None:
    assert lcs_length(list(a), list(b)) == expected


def test_expected_order_scores_one_with_a_success_on_the_structure_anchor(stroke, make_parsed) -> None:
    result = score_structure(stroke, make_parsed(detected_order=["CC", "HPI", "ROS", "PMH", "Summary"]))

    assert result.score == 1.0
    assert result.violations == []
    assert [item.citations for item in result.successes] == [["rubric://stroke_v1#structure"]]
    assert result.details["lcs"] == 5
    assert result.details["fired_penalties"] == []


def test_id_convention_penalties_fire_when_their_rules_hold(stroke, make_parsed) -> None:
    # No Summary (missing_summary) and ROS before HPI (swap_ros_before_hpi); LCS = 3 of 5.
    result = score_structure(stroke, make_parsed(detected_order=["CC", "ROS", "HPI", "PMH"]))

    assert result.details["lcs"] == 3
    assert [p["id"] for p in result.details["fired_penalties"]] == ["missing_summary", "swap_ros_before_hpi"]
    assert result.score == pytest.approx(3 / 5 - 0.2 - 0.1)
    cited = [item.citations[0] for item in result.violations]
    assert cited == ["rubric://stroke_v1#S.missing_summary", "rubric://stroke_v1#S.swap_ros_before_hpi",
                     "rubric://stroke_v1#structure"]
    assert "expected CC > HPI > ROS > PMH > Summary; detected CC > ROS > HPI > PMH" in result.violations[-1].message


def test_before_rule_needs_both_sections_detected(stroke, make_parsed) -> None:
    # ROS is present but HPI is not: swap_ros_before_hpi must not fire; Summary is present.
    result = score_structure(stroke, make_parsed(detected_order=["CC", "ROS", "PMH", "Summary"]))

    assert result.details["fired_penalties"] == []
    assert result.score == pytest.approx(4 / 5)


def test_explicit_rules_fire_and_detected_names_are_canonicalised(chest, make_parsed) -> None:
    result = score_structure(chest, make_parsed(detected_order=["cc", "PMH", "hpi", "summary"]))

    assert result.details["detected"] == ["CC", "PMH", "HPI", "Summary"]
    assert [p["anchor"] for p in result.details["fired_penalties"]] == ["S.meds", "S.pmh_first"]
    assert result.score == pytest.approx(3 / 5 - 0.15 - 0.1)
    assert all(item.severity == "major" for item in result.violations[:2])


def test_rules_that_do_not_hold_do_not_fire(chest, make_parsed) -> None:
    result = score_structure(chest, make_parsed(detected_order=["CC", "HPI", "PMH", "MEDS", "Summary"]))

    assert result.details["fired_penalties"] == []
    assert result.score == 1.0


def test_score_is_clamped_at_zero(stroke, make_parsed) -> None:
    result = score_structure(stroke, make_parsed(detected_order=[]))

    assert result.details["lcs"] == 0
    assert [p["id"] for p in result.details["fired_penalties"]] == ["missing_summary"]
    assert result.score == 0.0
