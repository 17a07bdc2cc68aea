"""The product's two sample interviews segment as ``samples/EXPECTED.md`` says they were written."""

from pathlib import Path

import pytest

from document_parser.parsing.pipeline import parse_transcript

SAMPLES = Path(__file__).resolve().parents[3] / "samples"

# section -> time (seconds) of its first line, from the tables in samples/EXPECTED.md
STROKE = {"CC": 4, "HPI": 29, "ROS": 165, "PMH": 201, "MEDS": 257, "ALLERGIES": 289, "SH": 296, "FH": 343,
          "Summary": 360}
CHEST_PAIN = {"CC": 3, "HPI": 29, "PMH": 184, "MEDS": 217, "ALLERGIES": 235, "SH": 241, "FH": 268, "Summary": 301}


@pytest.mark.parametrize(("name", "starts", "utterances", "summary_tokens"), [
    ("stroke_interview.txt", STROKE, 59, 92),
    ("chest_pain_interview.txt", CHEST_PAIN, 58, 89),
])
def test_sample_sections_boundaries_and_summary(name: str, starts: dict[str, int], utterances: int,
                                                summary_tokens: int) -> None:
    parsed = parse_transcript((SAMPLES / name).read_text(encoding="utf-8"), "auto")
    assert len(parsed.utterances) == utterances
    assert parsed.detected_order == list(starts)
    assert [s.name for s in parsed.sections] == list(starts)  # each section one contiguous run
    assert {s.name: parsed.utterances[s.start_index].start for s in parsed.sections} == starts
    first_lines = [parsed.utterances[s.start_index] for s in parsed.sections]
    assert all(u.role == "interviewer" for u in first_lines)
    assert first_lines[-1].text.startswith("So to summarise")
    assert parsed.summary.source == "transcript"
    assert parsed.summary.tokens == summary_tokens
