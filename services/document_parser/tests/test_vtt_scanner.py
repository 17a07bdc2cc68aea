"""The fast WebVTT scanner gives exactly the cues ``webvtt-py`` gives, or hands the file to it."""

from pathlib import Path

import pytest

from document_parser.parsing import vtt
from document_parser.parsing.pipeline import parse_transcript
from medgrade_shared.errors import Invalid

DATA = Path(__file__).parent / "data"

# Shapes the scanner reads itself: each must give the library's cues.
SCANNED = {
    "sample": (DATA / "day3_consultation06.vtt").read_text(encoding="utf-8"),
    "identifiers_settings_notes": ("WEBVTT - a title\nKind: captions\n\nNOTE a comment\nover two lines\n\n"
                                   "STYLE\n::cue { color: red }\n\nintro-1\n00:00:02.533 --> 00:00:12.500 align:start\n"
                                   "<v Doctor>Good morning.\n\n\n\n7\n00:03.907-->00:04.907\n"
                                   "<v Patient>Hi &amp; hello.\n"
                                   "second line\n  \nafter a blank-looking line\n"),
    "crlf_and_cr": "WEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\nDoctor: Any pain?\r\r00:02.500 --> 00:03.000\rNo.\r\n",
    "short_fields": "WEBVTT\n\n0:1:5.2 --> 0:1:7.25\nA\n",
    "long_hours_and_no_payload": "WEBVTT\n\n1234567890:00:01.000 --> 1234567890:00:02.000\n\n00:03.000 --> 00:04.000",
    "empty": "WEBVTT\n",
    "bom": "\ufeffWEBVTT\n\n00:01.000 --> 00:02.000 line:0\n<v Doctor>Hello\n\n",
}
# Shapes the scanner leaves to the library.
LIBRARY = {
    "timings_in_header": "WEBVTT\n00:01.000 --> 00:02.000\n<v Doctor>Hello\n",
    "arrow_in_payload": "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Doctor>Hello\n00:03.000 --> 00:04.000\nBye\n",
    "arrow_on_third_line": "WEBVTT\n\nid\nmore id\n00:01.000 --> 00:02.000\nHello\n",
    "minutes_over_59": "WEBVTT\n\n00:61.000 --> 00:62.000\nDropped\n\n00:01.000 --> 00:02.000\nKept\n",
    "end_runs_into_digits": "WEBVTT\n\n00:01.000 --> 00:02.0005\nHello\n",
    "eleven_digit_hours": ("WEBVTT\n\n12345678901:00:01.000 --> 12345678901:00:02.000\nDropped\n\n"
                           "00:01.000 --> 00:02.000\nKept\n"),
    "arrow_without_times": "WEBVTT\n\nthis --> that\n\n00:01.000 --> 00:02.000\nKept\n",
    "end_without_fraction": "WEBVTT\n\n00:01.500 --> 00:03\nDropped\n",
    "not_webvtt": "WEBVTX\n\n00:01.000 --> 00:02.000\nHello\n",
}


@pytest.mark.parametrize("name", SCANNED)
def test_scanned_files_give_the_library_cues(name: str) -> None:
    text = SCANNED[name].lstrip("\ufeff")
    scanned = vtt._scan(text)
    assert scanned is not None
    assert scanned == vtt._library_cues(text)


def test_the_rendered_consultation_gives_the_library_cues(rendered: dict[str, bytes]) -> None:
    text = rendered["vtt"].decode()
    assert vtt._scan(text) == vtt._library_cues(text) != []


@pytest.mark.parametrize("name", LIBRARY)
def test_other_shapes_are_left_to_the_library(name: str) -> None:
    assert vtt._scan(LIBRARY[name]) is None


def test_library_fallback_still_reads_what_it_can() -> None:
    assert [u.text for u in parse_transcript(LIBRARY["minutes_over_59"], "vtt").utterances] == ["Kept"]
    assert [u.text for u in parse_transcript(LIBRARY["timings_in_header"], "vtt").utterances] == ["Hello"]
    with pytest.raises(Invalid) as caught:
        parse_transcript(LIBRARY["not_webvtt"], "vtt")
    assert caught.value.code == "invalid_vtt"
