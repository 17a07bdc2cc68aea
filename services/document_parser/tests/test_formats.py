import json

import pytest

from document_parser.parsing.formats import detect_format
from document_parser.parsing.pipeline import parse_transcript
from medgrade_shared.errors import Invalid

VTT = """WEBVTT

00:00:02.533 --> 00:00:12.500
<v Doctor>Good morning, how can I help you?

intro-2
00:00:03.907 --> 00:00:04.907 align:start
<v Patient>Hello &amp; hi.

NOTE not a cue

00:00:12.596 --> 00:00:25.634
Patient: I've had diarrhoea for three days.
"""


def test_detect_format() -> None:
    assert detect_format("\ufeffWEBVTT\n\n") == "vtt"
    assert detect_format(' [ {"speaker": "Doctor"}]') == "json"
    assert detect_format('{"text": "Hello.", "segments": []}') == "json"
    assert detect_format("1\n00:00:01,000 --> 00:00:02,000\nHi") == "srt"
    assert detect_format("[00:01] Doctor: Hi") == "text"


def test_json_list_of_objects() -> None:
    payload = [{"speaker": "Doctor", "text": "How can I help?", "start": 0},
               {"speaker": "Patient", "text": "A cough.", "start": "00:04"},
               {"speaker": "Interpreter", "text": "   "}]
    parsed = parse_transcript(json.dumps(payload), "auto")
    assert parsed.format == "json"
    assert [(u.speaker, u.role, u.start, u.end) for u in parsed.utterances] == [
        ("Doctor", "interviewer", 0.0, 4.0), ("Patient", "patient", 4.0, 5.0)]


def test_json_segments_as_a_diarising_speech_to_text_tool_writes_them() -> None:
    payload = {"segments": [{"start": 0.0, "end": 2.1, "text": " How can I help?", "speaker": "SPEAKER_00",
                             "words": [{"word": "How", "start": 0.0}]},
                            {"start": 2.4, "end": 3.0, "text": " A cough.", "speaker": "SPEAKER_01"}],
               "language": "en"}
    parsed = parse_transcript(json.dumps(payload), "auto")
    assert parsed.format == "json"
    assert [(u.speaker, u.role, u.start, u.text) for u in parsed.utterances] == [
        ("SPEAKER_00", "interviewer", 0.0, "How can I help?"), ("SPEAKER_01", "patient", 2.4, "A cough.")]


def test_json_from_two_channels_is_ordered_stably_by_start() -> None:
    payload = [{"speaker": "Doctor", "text": "Any cough?", "start": 5},
               {"speaker": "Doctor", "text": "Hello.", "start": 1},
               {"speaker": "Patient", "text": "Hi.", "start": 1}, {"speaker": "Patient", "text": "Yes.", "start": 6}]
    parsed = parse_transcript(json.dumps(payload), "json")
    assert [u.text for u in parsed.utterances] == ["Hello.", "Hi.", "Any cough?", "Yes."]


@pytest.mark.parametrize(("text", "code"), [("[{", "invalid_json"), ("[" * 100_000, "invalid_json"),
                                            ('[{"text": "no speaker"}]', "invalid_json_transcript"),
                                            ('{"speaker": "Doctor", "text": "x"}', "invalid_json_transcript"),
                                            ('{"segments": [{"text": "no speaker"}]}', "invalid_json_transcript"),
                                            ('{"segments": "x"}', "invalid_json_transcript")])
def test_malformed_json_is_a_transcript_error(text: str, code: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_transcript(text, "json")
    assert caught.value.code == code


def test_minimal_webvtt() -> None:
    parsed = parse_transcript(VTT, "auto")
    assert parsed.format == "vtt"
    assert [(u.speaker, u.text, u.start, u.end) for u in parsed.utterances] == [
        ("Doctor", "Good morning, how can I help you?", 2.533, 12.5),
        ("Patient", "Hello & hi.", 3.907, 4.907),
        ("Patient", "I've had diarrhoea for three days.", 12.596, 25.634)]


def test_srt_cues_with_labels_markup_and_dialogue_dashes() -> None:
    text = ("1\n00:00:01,000 --> 00:00:02,500\nDoctor: How can I <i>help</i>?\n\n"
            "2\n00:00:03,000 --> 00:00:04,000\n- Patient: A cough,\nfor a week.\n\n"
            "3\n00:00:04,200 --> 00:00:05,000\nMostly at night &amp; morning.\n")
    parsed = parse_transcript(text, "auto")
    assert parsed.format == "srt"
    assert [(u.speaker, u.role, u.text, u.start, u.end) for u in parsed.utterances] == [
        ("Doctor", "interviewer", "How can I help?", 1.0, 2.5),
        ("Patient", "patient", "A cough,\nfor a week.", 3.0, 4.0),
        ("Patient", "patient", "Mostly at night & morning.", 4.2, 5.0)]


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_transcript(text: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_transcript(text, "text")
    assert caught.value.code == "empty_transcript"


def test_transcript_without_utterances() -> None:
    with pytest.raises(Invalid) as caught:
        parse_transcript("WEBVTT\n\nNOTE nothing here\n", "auto")
    assert caught.value.code == "no_utterances"


@pytest.mark.parametrize(("text", "speaker", "body"), [
    ("[" * 200_000, "Student", "[" * 200_000), ("a:" * 100_000, "Student", "a:" * 100_000),
    ("Doctor: " + "x " * 200_000, "Doctor", ("x " * 200_000).strip()),
    (("Speaker One Two Three Four" * 10_000) + ":", "Student", ("Speaker One Two Three Four" * 10_000) + ":"),
    ("<A" * 100_000, "Student", "<A" * 100_000),
    ("So so so so " * 50_000, "Student", ("So so so so " * 50_000).strip()),
    ("Dr. " * 100_000, "Student", ("Dr. " * 100_000).strip()),  # every sentence end is an abbreviation's
])
def test_hostile_input_parses_to_one_whole_utterance(text: str, speaker: str, body: str) -> None:
    """Inputs built to make a regex backtrack or a loop go quadratic; their speed is measured
    by ``benchmarks/bench_parse.py``, here only that they give the right result."""
    parsed = parse_transcript(text, "text")
    assert [(u.speaker, u.text) for u in parsed.utterances] == [(speaker, body)]
    assert parsed.detected_order == ["CC"]
