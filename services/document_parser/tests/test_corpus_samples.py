"""Real transcripts (excerpts of PriMock57 and MTS-Dialog in ``tests/data``, see its
ATTRIBUTION.md): both formats of one consultation agree, and real dialogue snippets parse
with every speaker given a role and their topic found among the sections."""

import csv
from pathlib import Path

import pytest

from document_parser.parsing.pipeline import parse_transcript

DATA = Path(__file__).resolve().parent / "data"
MTS_SECTIONS = {"GENHX": {"HPI"}, "CC": {"CC"}, "ROS": {"ROS"}, "PASTMEDICALHX": {"PMH"}, "PASTSURGICAL": {"PMH"},
                "MEDICATIONS": {"MEDS"}, "ALLERGY": {"ALLERGIES"}, "FAM/SOCHX": {"SH", "FH"}}
SPEAKER_ROWS = {"209", "702", "931"}  # long general-history rows chosen for their speakers (Gest_family, ...)


def mts_rows() -> list[dict[str, str]]:
    with (DATA / "mts_dialog_training_sample.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_primock57_consultation_reads_the_same_as_text_and_as_webvtt() -> None:
    as_text = parse_transcript((DATA / "day3_consultation06.txt").read_text(encoding="utf-8"), "auto")
    as_vtt = parse_transcript((DATA / "day3_consultation06.vtt").read_text(encoding="utf-8"), "auto")
    assert (as_text.format, as_vtt.format) == ("text", "vtt")
    assert (len(as_text.utterances), len(as_vtt.utterances)) == (54, 49)  # 5 lines are only tags, no cue
    with_words = [u for u in as_text.utterances if u.match_text]
    assert [(u.speaker, u.match_text) for u in with_words] == [(u.speaker, u.match_text) for u in as_vtt.utterances]
    assert all(0 <= v.start - t.start < 1.001 for t, v in zip(with_words, as_vtt.utterances, strict=True))
    assert {u.role for u in as_vtt.utterances} == {"interviewer", "patient"}
    assert [s.name for s in as_text.sections] == [s.name for s in as_vtt.sections]
    assert as_text.detected_order[0] in ("CC", "HPI")


def test_primock57_tags_are_kept_in_text_and_left_out_of_match_text() -> None:
    parsed = parse_transcript((DATA / "day3_consultation06.txt").read_text(encoding="utf-8"), "auto")
    tagged = [u for u in parsed.utterances if "<UNIN/>" in u.text]
    assert tagged
    assert all("<" not in u.match_text for u in tagged)


def row_id(row: dict[str, str]) -> str:
    return f"{row['ID']}-{row['section_header']}"


@pytest.mark.parametrize("row", mts_rows(), ids=row_id)
def test_mts_dialog_snippet_speakers_all_get_a_role(row: dict[str, str]) -> None:
    parsed = parse_transcript(row["dialogue"], "auto")
    assert parsed.format == "text"
    assert {u.role for u in parsed.utterances} <= {"interviewer", "patient"}
    assert "interviewer" in {u.role for u in parsed.utterances}
    assert parsed.roles_inferred is False


@pytest.mark.parametrize("row", [r for r in mts_rows() if r["ID"] not in SPEAKER_ROWS], ids=row_id)
def test_mts_dialog_snippet_topic_is_among_its_sections(row: dict[str, str]) -> None:
    parsed = parse_transcript(row["dialogue"], "auto")
    assert MTS_SECTIONS[row["section_header"]] & set(parsed.detected_order)
