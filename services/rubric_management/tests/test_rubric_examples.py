"""The packaged example rubrics are valid, runnable rubrics."""

from __future__ import annotations

import math
from importlib.resources import files

import pytest

from medgrade_shared.models.rubric import Rubric
from medgrade_shared.models.vocabulary import COMPONENTS
from medgrade_shared.patterns import compile_pattern
from rubric_management.seeding import example_rubrics

EXAMPLES = ["stroke_v1", "chest_pain_v1"]


def _load(name: str) -> Rubric:
    return Rubric.model_validate_json((files("rubric_management") / "examples" / f"{name}.json").read_bytes())


def test_the_two_examples_are_packaged() -> None:
    assert sorted(r.rubric_id for r in example_rubrics()) == sorted(EXAMPLES)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_is_an_approved_first_version_with_weights_summing_to_one(name: str) -> None:
    rubric = _load(name)
    assert (rubric.rubric_id, rubric.version, rubric.status) == (name, "1.0.0", "approved")
    assert math.isclose(sum(rubric.weights.as_dict().values()), 1.0, abs_tol=1e-9)
    assert all(rubric.weights.as_dict()[c] > 0 for c in COMPONENTS)


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_pattern_compiles_under_re2(name: str) -> None:
    rubric = _load(name)
    patterns = [link.pattern for link in rubric.reasoning.required_links]
    patterns += [p for element in rubric.summary.required_elements for p in element.patterns]
    assert patterns
    for pattern in patterns:
        compile_pattern(pattern)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_key_questions_and_penalties(name: str) -> None:
    rubric = _load(name)
    assert 10 <= len(rubric.key_questions) <= 14
    assert sum(q.critical for q in rubric.key_questions) >= 3
    assert all(q.phrases for q in rubric.key_questions)
    assert [q.anchor for q in rubric.key_questions] == [f"Q.{q.id}" for q in rubric.key_questions]
    rules = {p.id: p.rule for p in rubric.structure.penalties}
    assert rules["missing_summary"] is not None
    assert rules["missing_summary"].missing == "Summary"
    # The reference convention: the rule is read from the id alone.
    assert rules["swap_ros_before_hpi"] is not None
    assert rules["swap_ros_before_hpi"].before == ("ROS", "HPI")
    assert sum(link.major for link in rubric.reasoning.required_links) == 1


def test_example_patterns_match_what_they_are_meant_to() -> None:
    stroke = _load("stroke_v1")
    links = {link.id: compile_pattern(link.pattern) for link in stroke.reasoning.required_links}
    assert links["thrombolysis_window"].search("He may be a candidate for thrombolysis within the 4.5 hour window")
    assert not links["thrombolysis_window"].search("He may be a candidate for thrombolysis")
    age = compile_pattern(stroke.summary.required_elements[0].patterns[0])
    assert age.search("a 68-year-old man")
    assert age.search("a 68 year old man")
    assert not age.search("68 years")
