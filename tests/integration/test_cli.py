"""The ``medgrade`` command against the real gateway and services: one transcript, a cohort with
a CSV, the rubric listing and the QA gate, and the exit codes a script relies on."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import GATEWAY, ROOT

MEDGRADE = Path(sys.executable).parent / "medgrade"


def run(key: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MEDGRADE_URL": GATEWAY, "MEDGRADE_API_KEY": key, "COLUMNS": "200"}
    return subprocess.run([str(MEDGRADE), *arguments], capture_output=True, text=True, timeout=300, env=env)


def test_grade_prints_the_grading_as_json(new_key):
    _, key = new_key("grade")
    result = run(key, "grade", str(ROOT / "samples" / "stroke_interview.txt"), "--rubric", "stroke_v1", "--json")
    assert result.returncode == 0, result.stderr
    grading = json.loads(result.stdout)
    assert (grading["student_id"], grading["rubric_id"], grading["kind"]) == ("stroke_interview", "stroke_v1",
                                                                              "interview")
    assert grading["components"]["key_questions"] > 0.7

    listed = run(key, "gradings", "--student", "stroke_interview", "--rubric", "stroke_v1", "--json")
    assert listed.returncode == 0, listed.stderr
    assert grading["grading_id"] in [item["grading_id"] for item in json.loads(listed.stdout)]


def test_a_cohort_is_graded_with_a_csv_and_a_failed_item_sets_exit_4(new_key, tmp_path):
    _, key = new_key("grade")
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    shutil.copy(ROOT / "samples" / "stroke_interview.txt", cohort / "s001.txt")
    shutil.copy(ROOT / "samples" / "chest_pain_interview.txt", cohort / "s002.txt")
    (cohort / "s003.pdf").write_bytes(b"\x00\x01 not a pdf")
    out = tmp_path / "results.csv"

    result = run(key, "batch", str(cohort), "--rubric", "stroke_v1", "--out", str(out), "--wait", "240")

    assert result.returncode == 4, result.stdout + result.stderr
    assert "complete: 2 graded, 1 failed" in result.stdout
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert [row["student_id"] for row in rows] == ["s001", "s002", "s003"]
    assert rows[0]["grading_id"] and rows[2]["error"]


def test_rubrics_are_listed_and_the_qa_gate_runs_on_a_file(new_key, tmp_path):
    _, key = new_key("rubrics:read", "rubrics:write")
    listing = run(key, "rubrics", "list", "--json")
    assert listing.returncode == 0, listing.stderr
    assert {"stroke_v1", "chest_pain_v1"} <= {item["rubric_id"] for item in json.loads(listing.stdout)["items"]}

    good = run(key, "rubrics", "validate", str(ROOT / "services/rubric_management/src/rubric_management/examples"
                                                   "/stroke_v1.json"))
    assert good.returncode == 0 and "passes the QA gate" in good.stdout
    bad_file = tmp_path / "bad.json"
    bad_file.write_text(json.dumps({"rubric_id": "bad_v1", "weights": {"structure": 1}}))
    bad = run(key, "rubrics", "validate", str(bad_file))
    assert bad.returncode == 1
    assert "qa_failed" in bad.stderr and "weight 'key_questions' is missing" in bad.stderr


def test_a_key_without_the_scope_is_exit_1_with_the_api_s_message(new_key):
    _, key = new_key("rubrics:read")
    result = run(key, "grade", str(ROOT / "samples" / "stroke_interview.txt"), "--rubric", "stroke_v1")
    assert result.returncode == 1
    assert "403" in result.stderr
