import json
import time

import pytest

from document_parser.parsing.errors import TranscriptError
from document_parser.parsing.formats import detect_format
from document_parser.parsing.pipeline import MAX_UTTERANCES, parse_transcript

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


@pytest.mark.parametrize(("text", "code"), [("[{", "invalid_json"), ("[" * 100_000, "invalid_json"),
                                            ('[{"text": "no speaker"}]', "invalid_json_transcript"),
                                            ('{"speaker": "Doctor", "text": "x"}', "invalid_json_transcript")])
def test_malformed_json_is_a_transcript_error(text: str, code: str) -> None:
    with pytest.raises(TranscriptError) as caught:
        parse_transcript(text, "json")
    assert caught.value.code == code


def test_minimal_webvtt() -> None:
    parsed = parse_transcript(VTT, "auto")
    assert parsed.format == "vtt"
    assert [(u.speaker, u.text, u.start, u.end) for u in parsed.utterances] == [
        ("Doctor", "Good morning, how can I help you?", 2.533, 12.5),
        ("Patient", "Hello & hi.", 3.907, 4.907),
        ("Patient", "I've had diarrhoea for three days.", 12.596, 25.634)]


def test_srt_is_not_supported_yet() -> None:
    with pytest.raises(TranscriptError) as caught:
        parse_transcript("1\n00:00:01,000 --> 00:00:02,000\nHi\n", "auto")
    assert caught.value.code == "format_not_supported"


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_transcript(text: str) -> None:
    with pytest.raises(TranscriptError) as caught:
        parse_transcript(text, "text")
    assert caught.value.code == "empty_transcript"


def test_transcript_without_utterances() -> None:
    with pytest.raises(TranscriptError) as caught:
        parse_transcript("WEBVTT\n\nNOTE nothing here\n", "auto")
    assert caught.value.code == "no_utterances"


@pytest.mark.parametrize("text", ["[" * 200_000, "a:" * 100_000, "Doctor: " + "x " * 200_000,
                                  ("Speaker One Two Three Four" * 10_000) + ":", "<A" * 100_000,
                                  "So so so so " * 50_000, ("word. " * 100_000)])
def test_adversarial_input_parses_quickly(text: str) -> None:
    started = time.perf_counter()
    parsed = parse_transcript(text, "text")
    assert parsed.utterances
    assert time.perf_counter() - started < 2.0


def test_too_many_utterances_is_refused_before_the_expensive_steps() -> None:
    with pytest.raises(TranscriptError) as caught:
        parse_transcript("Doctor: a\n" * (MAX_UTTERANCES + 1), "text")
    assert caught.value.code == "too_many_utterances"
