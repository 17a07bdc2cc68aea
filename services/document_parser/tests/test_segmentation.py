from document_parser.parsing.evidence import section_evidence
from document_parser.parsing.pipeline import parse_transcript


def section_of(parsed, index: int) -> str:
    return next(s.name for s in parsed.sections if s.start_index <= index <= s.end_index)


def assert_partition(parsed) -> None:
    assert parsed.sections[0].start_index == 0
    assert parsed.sections[-1].end_index == len(parsed.utterances) - 1
    for before, after in zip(parsed.sections, parsed.sections[1:], strict=False):
        assert after.start_index == before.end_index + 1
    assert sum(s.end_index - s.start_index + 1 for s in parsed.sections) == len(parsed.utterances)


def test_interview_sections_in_order(interview: str) -> None:
    parsed = parse_transcript(interview, "text")
    assert parsed.detected_order == ["CC", "HPI", "PMH", "MEDS", "ALLERGIES", "SH", "FH", "Summary"]
    assert_partition(parsed)


def test_a_stray_fever_question_inside_hpi_does_not_open_ros(interview: str) -> None:
    parsed = parse_transcript(interview, "text")
    fever = next(u.index for u in parsed.utterances if u.text == "Any fever?")
    assert section_of(parsed, fever) == "HPI"
    assert "ROS" not in parsed.detected_order


def test_several_systems_screened_in_a_row_open_ros() -> None:
    text = ("Doctor: What brings you in?\nPatient: Chest pain.\nDoctor: When did it start? Where is the pain?\n"
            "Patient: This morning, central.\nDoctor: Any fever or night sweats?\nPatient: No.\n"
            "Doctor: Any cough or shortness of breath?\nPatient: No.\nDoctor: Any nausea or vomiting?\n"
            "Patient: No.\nDoctor: Any medical conditions?\nPatient: None.")
    parsed = parse_transcript(text, "text")
    assert parsed.detected_order == ["CC", "HPI", "ROS", "PMH"]


def test_patient_answers_belong_to_the_section_of_the_question(interview: str) -> None:
    parsed = parse_transcript(interview, "text")
    for utterance in parsed.utterances[1:]:
        if utterance.role == "patient":
            assert section_of(parsed, utterance.index) == section_of(parsed, utterance.index - 1)


def test_summary_mentioning_family_history_stays_summary(interview: str) -> None:
    parsed = parse_transcript(interview, "text")
    assert parsed.sections[-1].name == "Summary"
    summary_start = parsed.sections[-1].start_index
    assert "family history" in parsed.utterances[summary_start].match_text
    assert parsed.sections[-1].end_index == len(parsed.utterances) - 1


def test_summary_lasts_to_the_end_whatever_follows(interview: str) -> None:
    text = interview + "[01:35] Student: Do you have any allergies? And do you smoke?\n[01:40] Patient: No.\n"
    parsed = parse_transcript(text, "text")
    assert parsed.sections[-1].name == "Summary"
    assert parsed.detected_order.count("Summary") == 1
    assert [s.name for s in parsed.sections].index("Summary") == len(parsed.sections) - 1


def test_opening_small_talk_goes_to_cc() -> None:
    parsed = parse_transcript("Doctor: Hello.\nPatient: Hi.\nDoctor: Please take a seat.\nPatient: Thanks.\n"
                              "Doctor: When did the pain start? How long has it lasted? Is it worse at night?\n"
                              "Patient: Two days.", "text")
    assert [(s.name, s.start_index, s.end_index) for s in parsed.sections] == [("CC", 0, 3), ("HPI", 4, 5)]


def test_presentation_headings_give_the_sections(presentation: str) -> None:
    parsed = parse_transcript(presentation, "text")
    assert parsed.detected_order == ["CC", "HPI", "PMH", "MEDS", "ALLERGIES", "SH", "FH", "Summary"]
    assert_partition(parsed)
    fever = next(u.index for u in parsed.utterances if "fever" in u.text)
    assert section_of(parsed, fever) == "HPI"


def test_spoken_summary_opening_in_a_presentation() -> None:
    parsed = parse_transcript("Mrs Lee is 70 and presents with a cough.\nIt started a week ago and is worse at night."
                              "\nSo, to recap, a week of cough, and her mother had asthma.", "text")
    assert parsed.detected_order == ["CC", "HPI", "Summary"]
    assert parsed.sections[-1].start_index == len(parsed.utterances) - 1


def test_heading_and_phrase_evidence() -> None:
    assert section_evidence("Past medical history: none").scores["PMH"] >= 6
    allergy = section_evidence("Are you allergic to any medication?")
    assert allergy.scores["ALLERGIES"] > allergy.scores["MEDS"]
    assert allergy.opens == {"ALLERGIES"}
    assert section_evidence("How are you today?") == ({}, frozenset())


def test_statements_count_less_than_questions_in_a_dialogue() -> None:
    question = section_evidence("Do you smoke?", statement_weight=0.25).scores["SH"]
    statement = section_evidence("Smoking is a risk factor.", statement_weight=0.25).scores["SH"]
    assert statement == question / 4
    assert section_evidence("Smoking is a risk factor.", statement_weight=0.25).opens == frozenset()


def test_only_summary_cue_words_open_the_summary() -> None:
    assert section_evidence("So the diagnosis is migraine.").opens == frozenset()
    assert "Summary" in section_evidence("Let me just recap what you said.").opens


def test_a_short_clear_question_opens_its_section_inside_another() -> None:
    parsed = parse_transcript("Doctor: What brings you in?\nPatient: A rash.\nDoctor: What medicines do you take?\n"
                              "Patient: Ramipril.\nDoctor: Any allergies to medicines?\nPatient: No.\n"
                              "Doctor: Do you smoke?\nPatient: No.", "text")
    assert [(s.name, s.start_index) for s in parsed.sections] == [("CC", 0), ("MEDS", 2), ("ALLERGIES", 4), ("SH", 6)]


def test_the_closing_explanation_starts_the_summary_without_cue_words(interview: str) -> None:
    text = interview.replace("[01:20] Student: So to summarise",
                             "[01:18] Student: I think the diagnosis is migraine, and the plan is rest and fluids.\n"
                             "[01:20] Student: So to summarise")
    parsed = parse_transcript(text, "text")
    summary = parsed.sections[-1]
    assert summary.name == "Summary"
    assert parsed.utterances[summary.start_index].text.startswith("I think the diagnosis is migraine")


def test_a_closing_without_any_cue_word_is_found_by_its_form(interview: str) -> None:
    text = interview.replace("So to summarise, you are", "Right, it sounds like you are")
    parsed = parse_transcript(text, "text")
    assert parsed.sections[-1].name == "Summary"
    assert parsed.summary.text.startswith("Right, it sounds like you are a 30-year-old")


def test_an_explanation_between_questions_is_not_the_closing(interview: str) -> None:
    text = interview.replace("[00:46] Student: Do you have any medical conditions?",
                             "[00:45] Student: Headaches like this are very common and usually nothing serious.\n"
                             "[00:46] Student: Do you have any medical conditions?")
    parsed = parse_transcript(text, "text")
    summary = parsed.sections[-1]
    assert parsed.utterances[summary.start_index].text.startswith("So to summarise")


def test_conditions_asked_about_the_family_are_family_history() -> None:
    found = section_evidence("Does anyone in your family have diabetes or heart disease?")
    assert set(found.scores) == {"FH"}
    assert found.opens == {"FH"}
    assert set(section_evidence("Do you have diabetes or heart disease?").scores) == {"PMH"}


def test_an_excerpt_cut_in_the_middle_of_the_history_starts_there() -> None:
    parsed = parse_transcript("Doctor: How long has this been going on?\nPatient: About a week.", "text")
    assert [s.name for s in parsed.sections] == ["HPI"]  # one hint of the history, no opening question


def test_questions_naming_no_topic_after_the_opening_are_about_the_complaint() -> None:
    parsed = parse_transcript("Doctor: What brings you in today?\nPatient: I have warts on my back.\n"
                              "Doctor: Do you feel any pain or discomfort?\nPatient: It itches a little.\n"
                              "Doctor: And what did you do about it?\nPatient: Nothing yet.", "text")
    assert [(s.name, s.start_index, s.end_index) for s in parsed.sections] == [("CC", 0, 1), ("HPI", 2, 5)]


def test_a_mention_in_the_introduction_or_an_identity_check_does_not_start_a_section() -> None:
    parsed = parse_transcript("Doctor: Hello, I'm a student working with the team today. Is that all right?\n"
                              "Patient: Yes.\nDoctor: Could I check your name and your age?\nPatient: Ann, 40.\n"
                              "Doctor: What brings you in today?\nPatient: A cough.\n"
                              "Doctor: When did it start?\nPatient: Monday.", "text")
    assert parsed.detected_order == ["CC", "HPI"]
    assert section_of(parsed, 4) == "CC"
