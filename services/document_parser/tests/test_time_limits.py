"""Time stamps past the longest recording MedGrade grades (or that are no time at all) are a
422 at parse time, in every format; times within it always make a valid citation."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from document_parser.parsing.pipeline import parse_transcript
from medgrade_shared.citations import utterance_citation, validate_citation
from medgrade_shared.models.transcript import MAX_TRANSCRIPT_SECONDS


def _json(start: str) -> str:
    return f'[{{"speaker": "Student", "text": "When did it start?", "start": {start}}}]'


@pytest.mark.parametrize(("text", "fmt"), [
    ("[99:59:59] Student: When did it start?", "text"),
    ("[100:00:00] Student: When did it start?\n[100:00:05] Patient: Yesterday.", "text"),
    ("123:00:00 Student: When did it start?", "text"),
    ("[00:01] Student: Hello.\n[24:00:01] Student: When did it start?", "text"),
    ("24:00:00.5 Student: When did it start?", "text"),
    ("WEBVTT\n\n100:00:00.000 --> 100:00:01.000\n<v Student>When did it start?\n", "vtt"),
    ("WEBVTT\n\n00:00:01.000 --> 25:00:00.000\n<v Student>When did it start?\n", "vtt"),
    ("1\n99:99:99,999 --> 99:99:99,999\nStudent: When did it start?\n", "srt"),
    (_json("360000"), "json"),
    (_json("1e308"), "json"),
    (_json("1e400"), "json"),
    (_json("Infinity"), "json"),
    (json.dumps([{"speaker": "Student", "text": "When?", "start": "99:59:59"}]), "json"),
])
def test_a_time_stamp_past_the_maximum_is_a_422_a_teacher_can_act_on(client: TestClient, text: str,
                                                                     fmt: str) -> None:
    response = client.post("/parse", json={"text": text, "format": fmt})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "time_stamp_out_of_range"
    assert "past 24:00:00" in error["message"] and "up to 24 hours" in error["message"]
    assert error["details"]["max_seconds"] == MAX_TRANSCRIPT_SECONDS
    assert error["request_id"]


def test_the_message_names_the_utterance(client: TestClient) -> None:
    text = "[00:01] Student: Hello.\n[00:05] Patient: Hi.\n[30:00:00] Student: When did the pain start?"
    error = client.post("/parse", json={"text": text}).json()["error"]
    assert error["message"].startswith('Utterance 3 (Student: "When did the pain start?")')
    assert error["details"]["utterance"] == 3


@pytest.mark.parametrize(("text", "fmt", "code"), [
    (_json("NaN"), "json", "invalid_json_transcript"),
    (_json("-1"), "json", "invalid_json_transcript"),
    ("1\n999999999999999999:00:00,000 --> 999999999999999999:00:01,000\nStudent: Hi.\n", "srt", "invalid_srt"),
])
def test_times_that_are_no_time_at_all_are_a_422(client: TestClient, text: str, fmt: str, code: str) -> None:
    response = client.post("/parse", json={"text": text, "format": fmt})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code


def test_times_up_to_the_maximum_are_kept_and_make_valid_citations() -> None:
    long_turn = "When did it start " * 500
    parsed = parse_transcript(f"[23:59:58] Student: Hello.\n[23:59:59] Student: {long_turn}\n"
                              "[24:00:00] Patient: At noon.")
    assert [u.start for u in parsed.utterances] == [86398, 86399, 86400]
    assert parsed.utterances[-1].end == MAX_TRANSCRIPT_SECONDS  # estimated, and cut at the maximum
    for u in parsed.utterances:
        validate_citation(utterance_citation(u.index, u.start, u.end))
