"""The history-taking thesaurus: well formed, linked to the questions it is about, and used only
where a sentence's nearest topic is the question's."""

from __future__ import annotations

import numpy as np

from medgrade_shared.models.rubric import Rubric
from scoring.evaluators.key_questions import score_key_questions
from scoring.semantic.index import PhraseIndex
from scoring.semantic.thesaurus import link, load_topics


def test_every_topic_has_a_unique_id_a_name_and_several_wordings() -> None:
    topics = load_topics()
    assert len(topics) >= 50
    assert len({t.id for t in topics}) == len(topics)
    for topic in topics:
        assert topic.name.strip()
        assert len(topic.asks) >= 8 and len(set(topic.asks)) == len(topic.asks), topic.id
        assert len(topic.states) >= 8 and len(set(topic.states)) == len(topic.states), topic.id
        assert not any(state.rstrip().endswith("?") for state in topic.states), topic.id  # reported, not asked
        assert topic.wordings("presentation") == topic.states and topic.wordings("interview") == topic.asks


SPARSE_RUBRIC = {
    "rubric_id": "elbow", "weights": {"key_questions": 1.0},
    "key_questions": [
        {"id": "aggravating", "label": "Aggravating and relieving factors",
         "phrases": ["what makes it worse", "what helps"]},
        {"id": "tried", "label": "Treatments tried", "phrases": ["tried anything", "painkillers"]},
        {"id": "allergies", "label": "Allergies", "phrases": ["allergic"]},
    ],
}


def test_a_question_is_linked_to_the_topics_it_is_about(encoder) -> None:
    rubric = Rubric.model_validate(SPARSE_RUBRIC)
    phrases = PhraseIndex().get(rubric, encoder)
    names = [{load_topics()[t].name for t in question.expansion_topic_ids} for question in phrases]
    assert "Aggravating and relieving factors" in names[0]
    assert "Allergies and drug reactions" in names[2]
    assert "Allergies and drug reactions" not in names[0]
    assert len(phrases[0].expansions) == len(phrases[0].expansion_embeddings)


def test_a_topic_far_from_every_text_links_nowhere(encoder) -> None:
    topics = PhraseIndex().topics(encoder)
    far = -topics.centroids[:1]  # the opposite of the first topic
    assert 0 not in link(far, np.zeros((0, far.shape[1])), topics)
    assert link(topics.centroids[:1], np.zeros((0, far.shape[1])), topics, threshold=0.99) == [0]


def test_a_wording_outside_the_teachers_phrases_is_credited_through_the_thesaurus(make_parsed, encoder) -> None:
    rubric = Rubric.model_validate(SPARSE_RUBRIC)
    result = score_key_questions(rubric, make_parsed([("interviewer", "Does anything make it better?")]),
                                 encoder)
    questions = {q["id"]: q for q in result.details["questions"]}
    wordings = {ask for topic in load_topics() if topic.name == "Aggravating and relieving factors"
                for ask in topic.asks}
    assert questions["aggravating"]["asked"] is True
    assert (questions["aggravating"]["method"], questions["aggravating"]["matched_phrase"] in wordings) == (
        "semantic", True)
    assert questions["allergies"]["asked"] is False
