"""One consultation as .txt, .vtt, .srt, .docx and .pdf: the same utterances and sections."""

import pytest

from document_parser.parsing.speakers import PREAMBLE_SPEAKER
from document_parser.parsing.uploads import parse_upload
from medgrade_shared.models.transcript import ParsedTranscript

FORMATS = ("txt", "vtt", "srt", "docx", "pdf")
DETECTED = {"txt": "text", "vtt": "vtt", "srt": "srt", "docx": "docx", "pdf": "pdf"}
ORDER = ["CC", "HPI", "ROS", "PMH", "MEDS", "ALLERGIES", "SH", "FH", "Summary"]


def view(parsed: ParsedTranscript) -> list[tuple[str, str, str, float | None]]:
    return [(u.speaker, u.role, u.match_text, u.start) for u in spoken(parsed)]


def spoken(parsed: ParsedTranscript):
    """The utterances, without a document's preamble (the .docx has a title line)."""
    return [u for u in parsed.utterances if u.speaker != PREAMBLE_SPEAKER]


def section_spans(parsed: ParsedTranscript) -> list[tuple[str, list[float | None]]]:
    """Each section with the start times of its spoken utterances (indices differ by the preamble)."""
    return [(s.name, [u.start for u in parsed.utterances[s.start_index:s.end_index + 1]
                      if u.speaker != PREAMBLE_SPEAKER]) for s in parsed.sections]


@pytest.mark.parametrize("kind", FORMATS)
def test_every_format_gives_the_same_utterances_and_sections(kind: str, rendered: dict[str, bytes],
                                                             consultation: list[tuple[int, str, str]]) -> None:
    parsed = parse_upload(rendered[kind], f"consultation.{kind}")
    reference = parse_upload(rendered["txt"], "consultation.txt")
    assert parsed.format == DETECTED[kind]
    assert [(u.speaker, u.start) for u in spoken(parsed)] == [(speaker, float(s)) for s, speaker, _ in consultation]
    assert view(parsed) == view(reference)
    assert section_spans(parsed) == section_spans(reference)
    assert parsed.detected_order == ORDER
    assert parsed.summary.text.startswith("So to summarise, a week of cough")


def test_the_docx_title_is_a_preamble_not_a_speaker(rendered: dict[str, bytes]) -> None:
    title = parse_upload(rendered["docx"], "c.docx").utterances[0]
    assert (title.speaker, title.role, title.text) == (PREAMBLE_SPEAKER, "other", "Consultation transcript")


def test_transcriber_tags_stay_in_text_and_leave_match_text(rendered: dict[str, bytes]) -> None:
    for kind in ("txt", "srt", "docx", "pdf"):
        patient = spoken(parse_upload(rendered[kind], f"c.{kind}"))[1]
        assert "<UNSURE>bit of</UNSURE>" in patient.text
        assert patient.match_text == "I've had a cough for about a week, and a bit of fever."
    vtt = parse_upload(rendered["vtt"], "c.vtt").utterances[1]
    assert vtt.text == "I've had a cough for about a week, and a <UNSURE>bit of</UNSURE> fever."
    assert vtt.match_text == "I've had a cough for about a week, and a bit of fever."
