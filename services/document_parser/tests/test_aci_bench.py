"""ACI-Bench encounters (``[doctor]``/``[patient]``/``[patient_guest]`` tags) parse with one
utterance per tagged line and the role its tag names, as text and rendered as WebVTT, SRT,
DOCX, PDF and JSON; the doctor's dictated notes are recognised. Three encounters are copied
into ``tests/data``; all 87 of the shared corpus are checked when it lies beside the repository."""

import csv
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from document_parser.parsing.pipeline import parse_transcript
from document_parser.parsing.speakers import PREAMBLE_SPEAKER
from document_parser.parsing.uploads import parse_upload

DATA = Path(__file__).resolve().parent / "data"
CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "aci-bench"
COPIED = ("D2N026", "D2N042", "D2N076")
ROLE_OF_TAG = {"doctor": "interviewer", "patient": "patient"}
_TAG = re.compile(r"^\[(?P<tag>[^\]]+)\][ \t]*(?P<text>.*)$")
SECONDS_PER_TURN = 5

Renderer = Callable[[list[tuple[int, str, str]]], dict[str, bytes]]


def turns(dialogue: str) -> list[tuple[int, str, str]]:
    """(start, tag, text) per tagged line with words; an untagged line continues its turn."""
    found: list[list[str]] = []
    for line in dialogue.splitlines():
        match = _TAG.match(line.strip())
        if match is None:
            found[-1][1] += " " + line.strip()
        elif match.group("text").strip():
            found.append([match.group("tag"), match.group("text").strip()])
    return [(i * SECONDS_PER_TURN, tag, text) for i, (tag, text) in enumerate(found)]


def corpus_encounters() -> dict[str, str]:
    encounters = {}
    for name in ("aci-bench-train.csv", "aci-bench-valid.csv"):
        path = CORPUS / name
        if path.is_file():
            with path.open(newline="", encoding="utf-8") as handle:
                encounters.update({row["encounter_id"]: row["dialogue"] for row in csv.DictReader(handle)})
    return encounters


def check_every_format(dialogue: str, render: Renderer) -> None:
    expected = [(tag, ROLE_OF_TAG[tag.split("_")[0]]) for _, tag, _ in turns(dialogue)]
    as_text = parse_transcript(dialogue, "auto")
    assert [(u.speaker, u.role) for u in as_text.utterances] == expected
    dictated = [u.index for u in as_text.utterances if u.dictated]
    for kind, data in render(turns(dialogue)).items():
        parsed = parse_upload(data, f"encounter.{kind}")
        spoken = [u for u in parsed.utterances if u.speaker != PREAMBLE_SPEAKER]
        offset = len(parsed.utterances) - len(spoken)
        assert [(u.speaker, u.role) for u in spoken] == expected, kind
        assert [u.index - offset for u in spoken if u.dictated] == dictated, kind
        assert not {w.code for w in parsed.warnings} & {"monologue", "roles_inferred", "speakers_not_recognised"}


@pytest.mark.parametrize("encounter", COPIED)
def test_copied_encounters_parse_the_same_in_every_format(encounter: str, render: Renderer) -> None:
    check_every_format((DATA / f"aci_bench_{encounter}.txt").read_text(encoding="utf-8"), render)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared ACI-Bench corpus is not beside the repository")
def test_every_shared_encounter_parses_in_every_format(render: Renderer) -> None:
    encounters = corpus_encounters()
    assert len(encounters) == 87
    for dialogue in encounters.values():
        check_every_format(dialogue, render)


def test_a_dictated_preamble_and_closing_note_are_marked_and_not_graded() -> None:
    parsed = parse_transcript((DATA / "aci_bench_D2N026.txt").read_text(encoding="utf-8"), "auto")
    dictated = [u for u in parsed.utterances if u.dictated]
    assert dictated[0].index == 0 and dictated[0].text.startswith("dictating on donald clark")
    assert dictated[-1].text.startswith("paragraph , plan .")
    assert all(u.role == "interviewer" and not u.addresses_patient for u in dictated)
    assert not any(u.dictated for u in parsed.utterances[1:70])
    assert "paragraph" not in parsed.summary.text


def test_the_parent_answering_is_the_patients_side() -> None:
    parsed = parse_transcript((DATA / "aci_bench_D2N076.txt").read_text(encoding="utf-8"), "auto")
    assert {(s.label, s.role, s.source) for s in parsed.speakers} == {
        ("doctor", "interviewer", "label"), ("patient_guest", "patient", "label")}
