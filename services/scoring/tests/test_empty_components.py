"""A part the rubric leaves empty: refused while it is weighed (no free marks), silent at weight 0."""

from __future__ import annotations

import pytest

from medgrade_shared.errors import Invalid
from medgrade_shared.models.rubric import Rubric
from scoring.evaluators.communication import score_communication
from scoring.evaluators.key_questions import score_key_questions
from scoring.evaluators.reasoning import score_reasoning
from scoring.evaluators.structure import score_structure
from scoring.evaluators.summary import score_summary

# component -> (scorer, how to empty it, what the refusal names)
EMPTIED = {
    "structure": (score_structure, lambda d: d["structure"].update(expected_order=[], penalties=[]),
                  "expected sections"),
    "key_questions": (score_key_questions, lambda d: d.update(key_questions=[]), "key questions"),
    "reasoning": (score_reasoning, lambda d: d["reasoning"].update(required_links=[]), "reasoning links"),
    "summary": (score_summary, lambda d: d["summary"].update(required_elements=[]), "required summary elements"),
    "communication": (score_communication, lambda d: d["communication"].update(behaviours=[]),
                      "communication behaviours"),
}


def _emptied(chest: Rubric, component: str, *, weighed: bool) -> Rubric:
    data = chest.model_dump()
    EMPTIED[component][1](data)
    if not weighed:  # move the component's weight onto another one, so they still sum to 1
        other = "structure" if component != "structure" else "summary"
        data["weights"][other] += data["weights"][component]
        data["weights"][component] = 0.0
    return Rubric.model_validate(data)


@pytest.mark.parametrize("component", list(EMPTIED))
def test_a_weighed_empty_component_is_refused(chest, chest_transcript, component) -> None:
    scorer, _, names = EMPTIED[component]

    with pytest.raises(Invalid) as error:
        scorer(_emptied(chest, component, weighed=True), chest_transcript)
    assert error.value.code == "invalid_rubric"
    assert [p["check"] for p in error.value.details["problems"]] == ["empty_component"]
    assert f"{component} has weight" in error.value.message and names in error.value.message


@pytest.mark.parametrize("component", list(EMPTIED))
def test_an_unweighed_empty_component_scores_nothing_and_says_nothing(chest, chest_transcript, component) -> None:
    result = EMPTIED[component][0](_emptied(chest, component, weighed=False), chest_transcript)

    assert (result.score, result.successes, result.violations) == (0.0, [], [])
    assert result.details["assessed"] is False
