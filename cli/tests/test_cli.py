"""The command's own behaviour, without a suite: usage, an unreachable API, the folder it reads.
What it does against the real API is in tests/integration/test_cli.py."""

from __future__ import annotations

import socket

from medgrade_cli.api import transcript_files
from medgrade_cli.main import app
from typer.testing import CliRunner

runner = CliRunner()


def _said(result) -> str:
    """The output with Rich's line wrapping undone."""
    return " ".join(result.output.split())


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free once the probe closes: nothing listens there


def test_a_missing_option_is_a_usage_error(tmp_path):
    transcript = tmp_path / "s001.txt"
    transcript.write_text("[00:01] Student: When did it start?")
    result = runner.invoke(app, ["grade", str(transcript)])
    assert result.exit_code == 2
    assert "--rubric" in _said(result)


def test_an_api_that_does_not_answer_is_exit_3_with_the_url_named(tmp_path):
    transcript = tmp_path / "s001.txt"
    transcript.write_text("[00:01] Student: When did it start?")
    url = f"http://127.0.0.1:{_closed_port()}"
    result = runner.invoke(app, ["grade", str(transcript), "--rubric", "stroke_v1", "--url", url])
    assert result.exit_code == 3
    assert f"could not reach MedGrade at {url}" in _said(result)


def test_a_folder_without_transcripts_is_refused_before_any_call(tmp_path):
    (tmp_path / ".hidden.txt").write_text("x")
    result = runner.invoke(app, ["batch", str(tmp_path), "--rubric", "stroke_v1", "--url", "http://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "holds no transcript files" in _said(result)


def test_a_cohort_folder_is_its_visible_files_in_name_order(tmp_path):
    for name in ("s002.vtt", "s001.txt", ".DS_Store"):
        (tmp_path / name).write_text("x")
    (tmp_path / "notes").mkdir()
    assert [path.name for path in transcript_files(tmp_path)] == ["s001.txt", "s002.vtt"]
