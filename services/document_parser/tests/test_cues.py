"""WebVTT (``webvtt-py``) and SRT (``srt``) cues to utterances."""

import pytest

from document_parser.parsing.pipeline import parse_transcript
from medgrade_shared.errors import Invalid


def test_several_voices_in_one_cue_are_several_utterances() -> None:
    parsed = parse_transcript("WEBVTT\n\n00:01.000 --> 00:04.000\n<v Doctor>Any pain?</v> <v Patient>No.</v>\n", "vtt")
    assert [(u.speaker, u.text, u.start) for u in parsed.utterances] == [("Doctor", "Any pain?", 1.0),
                                                                        ("Patient", "No.", 1.0)]


def test_caption_markup_goes_and_transcriber_tags_stay() -> None:
    parsed = parse_transcript("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n"
                              "<v.loud Doctor>Any <i>fever</i> <c.x>or</c> <00:00:02.000>chills <UNIN/>?\n", "vtt")
    utterance = parsed.utterances[0]
    assert (utterance.speaker, utterance.text) == ("Doctor", "Any fever or chills <UNIN/>?")
    assert utterance.match_text == "Any fever or chills?"


def test_overlapping_cues_of_two_channels_are_ordered_stably_by_start() -> None:
    vtt = ("WEBVTT\n\n00:00:05.000 --> 00:00:09.000\n<v Doctor>And the cough?\n\n"
           "00:00:01.000 --> 00:00:06.000\n<v Doctor>How long has it been?\n\n"
           "00:00:05.000 --> 00:00:07.000\n<v Patient>A week.\n\n"
           "00:00:04.500 --> 00:00:05.500\n<v Patient>Mm.\n")
    parsed = parse_transcript(vtt, "vtt")
    assert [(u.text, u.start, u.end) for u in parsed.utterances] == [
        ("How long has it been?", 1.0, 6.0), ("Mm.", 4.5, 5.5), ("And the cough?", 5.0, 9.0), ("A week.", 5.0, 7.0)]


def test_malformed_webvtt_is_a_transcript_error() -> None:
    with pytest.raises(Invalid) as caught:
        parse_transcript("not a vtt file at all", "vtt")
    assert caught.value.code == "invalid_vtt"


def test_a_cue_without_a_speaker_continues_the_previous_one() -> None:
    parsed = parse_transcript("1\n00:00:01,000 --> 00:00:02,000\nDoctor: Any cough?\n\n"
                              "2\n00:00:02,500 --> 00:00:03,000\nOr a cold?\n", "srt")
    assert [u.speaker for u in parsed.utterances] == ["Doctor", "Doctor"]
    assert parsed.roles_inferred is False


def test_cues_without_any_speaker_are_a_monologue() -> None:
    parsed = parse_transcript("WEBVTT\n\n00:01.000 --> 00:02.000\nMr Jones is 58.\n", "vtt")
    assert parsed.utterances[0].speaker == "Student"
    assert parsed.roles_inferred is True
