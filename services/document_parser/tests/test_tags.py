from document_parser.parsing.pipeline import parse_transcript
from document_parser.parsing.tags import match_text


def test_unsure_keeps_its_words_and_other_tags_go() -> None:
    text = "<UNIN/> Sorry. <UNSURE>Hello how</UNSURE> um, <INAUDIBLE_SPEECH/> fine <LAUGH/>."
    assert match_text(text) == "Sorry. Hello how um, fine."


def test_text_without_tags_only_has_whitespace_collapsed() -> None:
    assert match_text("BP  < 140 and x<y\n ok") == "BP < 140 and x<y ok"


def test_text_keeps_the_tags_as_written() -> None:
    parsed = parse_transcript("[00:02] Doctor: <UNSURE>Hi</UNSURE> there <UNIN/>", "text")
    utterance = parsed.utterances[0]
    assert utterance.text == "<UNSURE>Hi</UNSURE> there <UNIN/>"
    assert utterance.match_text == "Hi there"
