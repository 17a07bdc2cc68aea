from pathlib import Path

import pytest

from document_parser.parsing.pipeline import parse_transcript
from document_parser.parsing.speakers import role_for, split_label


@pytest.mark.parametrize("speaker", ["Student", "Doctor", "Dr", "Dr.", "Dr. Shah", "Clinician", "Examiner",
                                     "Interviewer", "GP", "Nurse"])
def test_interviewer_labels(speaker: str) -> None:
    assert role_for(speaker) == "interviewer"


@pytest.mark.parametrize("speaker", ["Patient", "Pt", "Parent", "Carer", "Mum", "Mother", "Father", "Dad",
                                     "Patient's Mother", "SP", "Actor", "Child"])
def test_patient_labels(speaker: str) -> None:
    assert role_for(speaker) == "patient"


def test_unknown_speaker_is_kept_with_role_other() -> None:
    parsed = parse_transcript("Doctor: Can you ask her?\nInterpreter: She says since Monday.\n"
                              "Speaker 3: I'm her son.\nPatient: Yes.", "text")
    by_speaker = {u.speaker: u.role for u in parsed.utterances}
    assert by_speaker == {"Doctor": "interviewer", "Interpreter": "other", "Speaker 3": "other", "Patient": "patient"}
    assert parsed.utterances[1].text == "She says since Monday."


@pytest.mark.parametrize("text", ["Note: she was anxious", "Time: 3pm", "The pain is bad: really bad",
                                  "It hurts: a lot", "Allergies: none known", "Started at 10:30 today"])
def test_ordinary_sentences_with_a_colon_are_not_labels(text: str) -> None:
    assert split_label(text) == (None, text)


def test_a_sentence_with_a_colon_stays_in_the_utterance_text() -> None:
    parsed = parse_transcript("Patient: It began yesterday.\nNote: I was at work.\nTime: about 3pm.", "text")
    assert len(parsed.utterances) == 1
    assert parsed.utterances[0].text == "It began yesterday.\nNote: I was at work.\nTime: about 3pm."


def test_label_longer_than_three_words_or_thirty_characters_is_text() -> None:
    assert split_label("Four Capitalised Words Here: x")[0] is None
    assert split_label("Extraordinarilylongspeakernames: x")[0] is None
    assert split_label("Speaker 3: hello") == ("Speaker 3", "hello")


@pytest.mark.parametrize(("speaker", "role"), [
    ("Guest_clinician", "interviewer"), ("Guest_clinican", "interviewer"), ("Doctor_2", "interviewer"),
    ("Docotr_2", "interviewer"), ("Consultant", "interviewer"), ("Guest_family_1", "patient"),
    ("Gest_family", "patient"), ("Wife", "patient"), ("Daughter", "patient"),
])
def test_aliases_and_misspellings_found_in_real_transcripts(speaker: str, role: str) -> None:
    assert role_for(speaker) == role


def test_numbered_speakers_get_roles_from_who_asks_the_questions() -> None:
    parsed = parse_transcript("Speaker 1: I've had chest pain since this morning.\n"
                              "Speaker 2: I'm sorry to hear that. Where is the pain?\n"
                              "Speaker 1: In the middle.\nSpeaker 2: Does it spread anywhere?\n"
                              "Speaker 1: To my arm.\nSpeaker 2: OK, and do you smoke?\nSpeaker 1: No.", "text")
    assert {u.speaker: u.role for u in parsed.utterances} == {"Speaker 1": "patient", "Speaker 2": "interviewer"}
    assert parsed.roles_inferred is True
    inferred = next(w for w in parsed.warnings if w.code == "roles_inferred")
    assert "'Speaker 1'" in inferred.message and "'Speaker 2'" in inferred.message
    assert inferred.utterances == list(range(7))
    assert {s.label: s.source for s in parsed.speakers} == {"Speaker 1": "inferred", "Speaker 2": "inferred"}
    assert parsed.detected_order[-1] == "SH"


def test_labelled_roles_are_not_inferred() -> None:
    parsed = parse_transcript("Doctor: How are you?\nSpeaker 2: Who, me?\nPatient: Fine.", "text")
    assert [u.role for u in parsed.utterances] == ["interviewer", "other", "patient"]
    assert parsed.roles_inferred is False


def test_a_lone_unnamed_speaker_is_the_interviewer() -> None:
    parsed = parse_transcript("SPEAKER_00: Mr Jones is 58 and presents with chest pain.", "text")
    assert parsed.utterances[0].role == "interviewer"
    assert parsed.roles_inferred is True


def test_bracket_tags_are_speaker_labels_with_their_roles() -> None:
    parsed = parse_transcript("[doctor] hi , how are you ?\n[patient] my knee hurts .\n"
                              "[patient_guest] she fell on it .\n[doctor_2] any swelling ?", "auto")
    assert [(u.speaker, u.role, u.text) for u in parsed.utterances] == [
        ("doctor", "interviewer", "hi , how are you ?"), ("patient", "patient", "my knee hurts ."),
        ("patient_guest", "patient", "she fell on it ."), ("doctor_2", "interviewer", "any swelling ?")]
    assert not parsed.roles_inferred
    assert [w.code for w in parsed.warnings] == ["short_transcript"]


def test_a_bracketed_time_stamp_is_not_a_speaker() -> None:
    parsed = parse_transcript("[00:01] Doctor: When did it start?\n[00:04] Patient: At noon.", "auto")
    assert [(u.speaker, u.start) for u in parsed.utterances] == [("Doctor", 1.0), ("Patient", 4.0)]
    tagged = parse_transcript("[00:01] [doctor] when did it start ?\n[00:04] [patient] at noon .", "auto")
    assert [(u.speaker, u.role, u.start) for u in tagged.utterances] == [("doctor", "interviewer", 1.0),
                                                                         ("patient", "patient", 4.0)]


def test_an_aci_bench_encounter_is_a_dialogue_not_a_monologue() -> None:
    text = (Path(__file__).parent / "data" / "aci_bench_D2N042.txt").read_text(encoding="utf-8")
    parsed = parse_transcript(text, "auto")
    assert len(parsed.utterances) == len(text.splitlines()) == 39
    assert {u.speaker: u.role for u in parsed.utterances} == {"doctor": "interviewer", "patient": "patient"}
    assert parsed.warnings == []
    assert parsed.utterances[2].text.startswith("so i see here that you hurt your right ankle")


@pytest.mark.parametrize(("asker", "answerer"), [
    ("Dr", "Pt"), ("Dr.", "Pt."), ("Q", "A"), ("Interviewer", "Interviewee"), ("interviewer", "interviewee"),
    ("doctor", "patient"), ("Clinician", "Guest_family"), ("Guest_clinician", "Patient"), ("[doctor_2]", "[patient]"),
    ("[clinician_1]", "[guest_family_1]"),
])
def test_speaker_styles_get_their_roles_from_the_label(asker: str, answerer: str) -> None:
    def line(label: str, text: str) -> str:
        return f"{label} {text}" if label.startswith("[") else f"{label}: {text}"

    parsed = parse_transcript("\n".join([line(asker, "What brings you in today?"), line(answerer, "A cough."),
                                         line(asker, "How long for?"), line(answerer, "A week.")]), "auto")
    assert [u.role for u in parsed.utterances] == ["interviewer", "patient", "interviewer", "patient"]
    assert [s.source for s in parsed.speakers] == ["label", "label"]
    assert not parsed.roles_inferred


@pytest.mark.parametrize("style", ["**{}:**", "**{}**:", "*{}:*"])
def test_a_label_in_markdown_bold_or_italics_is_a_label(style: str) -> None:
    text = "\n".join([f"{style.format('Doctor')} What brings you in today?", f"{style.format('Patient')} A cough.",
                      "* a bullet line stays text"])
    parsed = parse_transcript(text, "auto")
    assert [(u.speaker, u.role) for u in parsed.utterances] == [("Doctor", "interviewer"), ("Patient", "patient")]
    assert [u.text for u in parsed.utterances] == ["What brings you in today?", "A cough.\n* a bullet line stays text"]


def test_lower_case_single_letters_are_not_labels() -> None:
    assert split_label("a: b") == (None, "a: b")


def test_a_named_patient_beside_a_named_doctor_is_the_patients_side_inferred() -> None:
    parsed = parse_transcript("Dr. Shah: What brings you in?\nMrs Jones: A cough.\nDr. Shah: Since when?\n"
                              "Mrs Jones: Monday.", "text")
    assert {(s.label, s.role, s.source) for s in parsed.speakers} == {
        ("Dr. Shah", "interviewer", "label"), ("Mrs Jones", "patient", "inferred")}
    assert "roles_inferred" in {w.code for w in parsed.warnings}


def test_a_second_clinician_and_a_relative_in_one_encounter() -> None:
    parsed = parse_transcript("[doctor] what happened ?\n[patient] i fell .\n"
                              "[patient_guest] she tripped on the stairs .\n"
                              "[doctor_2] any head injury ?\n[interpreter] she says no .", "auto")
    assert [(s.label, s.role) for s in parsed.speakers] == [
        ("doctor", "interviewer"), ("patient", "patient"), ("patient_guest", "patient"), ("doctor_2", "interviewer"),
        ("interpreter", "other")]
    not_recognised = next(w for w in parsed.warnings if w.code == "speakers_not_recognised")
    assert not_recognised.utterances == [4]


def test_a_parent_asked_about_a_child_is_not_dictation() -> None:
    parsed = parse_transcript("Doctor: How is his birth history? Was he born normal?\nGuest_family: Yes, he was.\n"
                              "Doctor: Good. He is up to date on his shots, so no injection today.", "text")
    assert not any(u.dictated for u in parsed.utterances)


def test_a_presentation_without_a_patient_is_never_dictation() -> None:
    parsed = parse_transcript("Student: Mr Jones is a 68-year-old man, born 1/2/1956, with chest pain.", "text")
    assert not parsed.utterances[0].dictated and parsed.utterances[0].addresses_patient
