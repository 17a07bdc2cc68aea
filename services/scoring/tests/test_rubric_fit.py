"""Rubric fit with the real model: a consultation against its own rubric and against another."""

from __future__ import annotations

from scoring.evaluators.rubric_fit import DEFAULT_FIT, opening_sentences, rubric_fit
from scoring.semantic.index import purpose_texts

CHEST_PAIN_OPENING = [
    ("interviewer", "Hello, I'm one of the medical students. What brings you in today?"),
    ("patient", "I've had this crushing pain in the middle of my chest since this morning."),
    ("interviewer", "I'm sorry to hear that. Where exactly is the pain?"),
    ("patient", "Right in the centre, and it goes down my left arm."),
]
DIARRHOEA_OPENING = [
    ("interviewer", "Hello, how can I help today?"),
    ("patient", "I've had diarrhoea for three days, going six or seven times a day."),
    ("interviewer", "How many times a day in the last couple of days?"),
    ("patient", "About six, and I feel sick and have tummy cramps."),
]


def test_a_chest_pain_consultation_fits_the_chest_pain_rubric(chest, make_parsed, encoder) -> None:
    fit = rubric_fit(chest, make_parsed(CHEST_PAIN_OPENING), encoder)
    assert fit["fits"] is True and fit["similarity"] >= DEFAULT_FIT.threshold
    assert fit["utterance_index"] in (1, 3)


def test_a_diarrhoea_consultation_does_not_fit_the_chest_pain_rubric(chest, make_parsed, encoder) -> None:
    fit = rubric_fit(chest, make_parsed(DIARRHOEA_OPENING), encoder)
    assert fit["fits"] is False and fit["similarity"] < DEFAULT_FIT.threshold


def test_without_patient_speech_the_fit_cannot_be_judged(chest, make_parsed, encoder) -> None:
    fit = rubric_fit(chest, make_parsed([("interviewer", "What brings you in?")]), encoder)
    assert fit == {"similarity": 0.0, "threshold": DEFAULT_FIT.threshold, "fits": None, "utterance_index": None}


def test_only_the_patients_opening_words_are_read(make_parsed) -> None:
    parsed = make_parsed([("interviewer", "Do you have chest pain at all?"), ("patient", "No. Just my stomach hurts."),
                          ("patient", "It has been going on for a week now.")])
    assert opening_sentences(parsed, opening_words=4) == [(1, "Just my stomach hurts.")]


def test_a_rubric_without_title_or_description_is_judged_by_its_question_labels(chest) -> None:
    bare = chest.model_copy(update={"title": None, "description": None})
    assert purpose_texts(bare) == [q.label for q in chest.key_questions]
    assert purpose_texts(chest)[0] == chest.title


def test_a_presentation_is_judged_by_the_student_s_opening_words(chest, make_parsed, encoder) -> None:
    about_chest = make_parsed([("interviewer", "Mr Smith is a 55-year-old man with crushing central chest pain "
                                               "since this morning.")])
    about_bowels = make_parsed([("interviewer", "Mrs Lee is a 40-year-old woman with three days of watery "
                                                "diarrhoea after a barbecue.")])

    assert rubric_fit(chest, about_chest, encoder)["fits"] is None  # an interview has no patient words here
    assert rubric_fit(chest, about_chest, encoder, "presentation")["fits"] is True
    assert rubric_fit(chest, about_bowels, encoder, "presentation")["fits"] is False
