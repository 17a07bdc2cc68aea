from __future__ import annotations

import math

import pytest

from medgrade_shared.citations import (
    oral_span_citation,
    rubric_anchor,
    rubric_citation,
    summary_citation,
    utterance_citation,
    validate_citation,
)
from medgrade_shared.models.scoring import FeedbackItem
from medgrade_shared.models.transcript import MAX_TRANSCRIPT_SECONDS, Utterance


def test_span_citations_use_mm_ss_and_hh_mm_ss_and_are_never_empty():
    assert oral_span_citation(72.4, 75.0) == "student://oral#01:12-01:15"
    assert oral_span_citation(3725, 3731.2) == "student://oral#01:02:05-01:02:12"
    assert oral_span_citation(10.0, 10.0) == "student://oral#00:10-00:11"


def test_utterances_without_times_are_cited_by_index():
    assert utterance_citation(4, None, None) == "student://oral#utt=4"
    assert utterance_citation(4, 1.0, 2.5) == "student://oral#00:01-00:03"


def test_rubric_citation_round_trip():
    citation = rubric_citation("stroke_v1", "Q.onset_time")
    assert citation == "rubric://stroke_v1#Q.onset_time"
    assert rubric_anchor(citation) == ("stroke_v1", "Q.onset_time")
    assert rubric_anchor("student://oral#00:01-00:02") is None
    assert rubric_anchor("rubric://stroke_v1#Q.onset_time\n") is None


@pytest.mark.parametrize("bad", [
    "rubric://Stroke#Q.x", "rubric://stroke_v1#", "student://oral#00:10-00:10", "student://oral#00:10–00:12",  # noqa: RUF001 (an en dash must be refused)
    "student://oral#00:12-00:10", "student://oral#1:2-1:3", "http://x", "student://summary#tokens=x",
    "rubric://stroke_v1#Q.x\n", "student://oral#00:10-00:12\n", "student://oral#utt=1\n",
    "student://summary#tokens=3\n", "rubric://stroke_v1\n#Q.x",
])
def test_malformed_citations_are_refused(bad):
    with pytest.raises(ValueError):
        validate_citation(bad)


def test_summary_citation():
    validate_citation(summary_citation(42))


def test_feedback_cannot_exist_without_a_rubric_citation():
    with pytest.raises(ValueError):
        FeedbackItem(component="summary", kind="violation", message="too long", citations=[summary_citation(200)])
    with pytest.raises(ValueError):
        FeedbackItem(component="summary", kind="violation", message="too long", citations=[])
    item = FeedbackItem(component="summary", kind="violation", message="too long",
                        citations=["rubric://stroke_v1#summary", summary_citation(200)])
    assert item.citations[0].startswith("rubric://")


def test_every_time_an_utterance_may_have_makes_a_valid_citation():
    last = MAX_TRANSCRIPT_SECONDS
    for start, end in [(0, 0), (last - 0.5, last), (last, last), (3599.5, 3600.2)]:
        Utterance(index=0, speaker="S", role="interviewer", text="x", match_text="x", start=start, end=end)
        validate_citation(utterance_citation(0, start, end))


@pytest.mark.parametrize("seconds", [MAX_TRANSCRIPT_SECONDS + 0.001, 360000, 1e308, math.inf, math.nan, -1])
def test_an_utterance_time_the_citations_cannot_carry_is_refused_by_the_contract(seconds):
    for times in ({"start": seconds}, {"start": 0, "end": seconds}):
        with pytest.raises(ValueError):
            Utterance(index=0, speaker="S", role="interviewer", text="x", match_text="x", **times)
