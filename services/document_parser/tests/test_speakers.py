import pytest

from document_parser.parsing.pipeline import parse_transcript
from document_parser.parsing.speakers import role_for, split_label


@pytest.mark.parametrize("speaker", ["Student", "Doctor", "Dr", "Dr.", "Dr. Shah", "Clinician", "Examiner",
                                     "Interviewer", "GP", "Nurse"])
def test_interviewer_labels(speaker: str) -> None:
    assert role_for(speaker) == "interviewer"


@pytest.mark.parametrize("speaker", ["Patient", "Pt", "Parent", "Carer", "Mum", "Mother", "Father", "Dad",
                                     "Patient's Mother"])
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
