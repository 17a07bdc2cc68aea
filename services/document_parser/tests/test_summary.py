from document_parser.parsing.pipeline import parse_transcript
from medgrade_shared.text import count_tokens


def test_given_summary_text_wins(interview: str) -> None:
    parsed = parse_transcript(interview, "text", summary_text="30F, two days of headache.")
    assert parsed.summary.model_dump() == {"text": "30F, two days of headache.", "tokens": 5, "source": "summary_text"}


def test_blank_summary_text_falls_back_to_the_transcript_summary(interview: str) -> None:
    parsed = parse_transcript(interview, "text", summary_text="   ")
    assert parsed.summary.source == "transcript"
    assert parsed.summary.text.startswith("So to summarise, you are a 30-year-old")
    assert "that's right" not in parsed.summary.text  # the patient's reply is not the student's summary
    assert parsed.summary.tokens == count_tokens(parsed.summary.text)


def test_no_summary_anywhere_gives_an_empty_summary() -> None:
    parsed = parse_transcript("Doctor: What brings you in?\nPatient: A cough.", "text")
    assert parsed.summary.model_dump() == {"text": "", "tokens": 0, "source": "none"}


def test_transcript_summary_uses_match_text() -> None:
    parsed = parse_transcript("[00:00] Doctor: How can I help?\n[00:03] Patient: Cough.\n"
                              "[00:06] Doctor: In summary <UNSURE>a week</UNSURE> of cough <UNIN/>.", "text")
    assert parsed.summary.text == "In summary a week of cough."
