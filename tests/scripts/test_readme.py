"""The README reads true: every script it names exists (the ones a user runs are executable),
every command's subcommand and options are the script's own, every file path exists, and every
route is one of the apps' routes or one nginx.conf answers itself."""

from __future__ import annotations

import itertools
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from medgrade_shared.testing.internal_token import TEST_INTERNAL_TOKEN

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SPANS = re.findall(r"`([^`\n]+)`", README) + [
    line.split("#")[0].strip() for block in re.findall(r"```bash\n(.*?)```", README, re.S)
    for line in block.splitlines()]

SCRIPT = r"(?:scripts|benchmarks)/[\w.-]+\.(?:sh|py)|run_integration_tests\.sh|\.ci/run"
SCRIPTS = sorted(set(re.findall(rf"(?<![\w./])(?:{SCRIPT})", README)))
COMMANDS = sorted({span for span in SPANS if re.match(rf"(?:{SCRIPT}) \S", span)})
# Paths below the repository's own folders, without placeholders (`gradings/<id>.json` is in the store).
# Git-ignored folders (.run, .venv, var) hold what a run made, not what the README may promise.
TOP = "|".join(re.escape(entry.name) for entry in ROOT.iterdir() if entry.is_dir() and entry.name != ".git"
               and subprocess.run(["git", "check-ignore", "-q", entry.name], cwd=ROOT).returncode != 0)
PATHS = sorted({path.rstrip(".,:;)") for path in re.findall(rf"(?<![\w./])(?:{TOP})/[\w./-]*", README)})

METHODS = "GET|HEAD|POST|PUT|PATCH|DELETE"
ROUTES = sorted({(match[1] or "", match[2]) for span in SPANS
                 if (match := re.fullmatch(rf"(?:({METHODS}) )?(/[\w/{{}},.=?&|\\…-]*)", span))
                 and not span.startswith("//")})


def test_the_readme_names_what_this_test_reads():
    assert {"scripts/test.sh", "scripts/demo.sh", "benchmarks/bench_grading.py"} <= set(SCRIPTS)
    assert ("POST", "/grade") in ROUTES and ("GET", "/healthz") in ROUTES
    assert "samples/stroke_interview.txt" in PATHS


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_named_script_exists_and_is_executable(script):
    path = ROOT / script
    assert path.is_file(), f"the README names {script}, which does not exist"
    if not script.startswith(("benchmarks/", ".ci/")):  # run as `python benchmarks/…`, `bash .ci/run`
        assert path.stat().st_mode & 0o111, f"{script} is not executable"


@pytest.mark.parametrize("path", PATHS)
def test_a_named_path_exists(path):
    assert (ROOT / path).exists(), f"the README names {path}, which does not exist"


def _help(script: str, *words: str) -> str:
    command = [sys.executable, script, *words, "--help"]
    answer = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert answer.returncode == 0, f"{' '.join(command)} failed: {answer.stderr[-2000:]}"
    return answer.stdout


@pytest.mark.parametrize("script", [script for script in SCRIPTS if script.startswith("benchmarks/")])
def test_a_benchmark_answers_help(script):
    assert "usage" in _help(script).lower()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_command_uses_the_script_s_own_subcommand_and_options(command):
    script, *words = shlex.split(command.replace("[", " ").replace("]", " "))
    subcommand = words[:1] if words and re.fullmatch(r"[a-z]+", words[0]) else []
    options = [word.split("=")[0] for word in words if word.startswith("--")]
    if script.endswith(".py"):
        text = _help(script, *subcommand)
    else:  # a shell script: its subcommands are the words its `case` tells apart
        text = (ROOT / script).read_text(encoding="utf-8")
        assert not subcommand or re.search(rf"\b{subcommand[0]}\)|\"{subcommand[0]}\"", text), command
    assert [option for option in options if option not in text] == [], command


def _apps(store: Path) -> list[FastAPI]:
    from document_parser.core.config import ParserSettings
    from document_parser.main import create_app as parser
    from grading_orchestrator.core.config import OrchestratorSettings
    from grading_orchestrator.main import create_app as orchestrator
    from rubric_management.core.config import RubricSettings
    from rubric_management.main import create_app as rubrics
    from scoring.core.config import ScoringSettings
    from scoring.main import create_app as scoring

    token = {"internal_token": TEST_INTERNAL_TOKEN}  # a module fixture: before the plugin's environment
    return [orchestrator(OrchestratorSettings(store_path=store / "gradings", auth_required=False, **token)),
            rubrics(RubricSettings(store_path=store / "rubrics", **token)), parser(ParserSettings(**token)),
            scoring(ScoringSettings(**token))]


def _template(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> dict[str, Any]:
    """(method, path template) of every documented operation; the apps' other paths (docs,
    metrics: GET only); and what nginx.conf answers itself (its exact locations: the others
    only pass a request on to an app, which must serve it)."""
    operations, paths = set(), set()
    for app in _apps(tmp_path_factory.mktemp("store")):
        for path, methods in app.openapi()["paths"].items():
            operations |= {(method.upper(), _template(path)) for method in methods}
        paths |= {route.path for route in app.routes if hasattr(route, "path")}
    nginx = (ROOT / "nginx.conf").read_text(encoding="utf-8")
    return {"operations": operations, "undocumented": paths - {path for _, path in operations},
            "paths": paths | {path for _, path in operations},
            "gateway": set(re.findall(r"location = (/\S*)", nginx))}


def _concrete(route: str) -> list[str]:
    """The routes a README route stands for: `{a,b}` lists expanded, the query left off."""
    route = route.split("?")[0]
    parts = re.split(r"(\{[^}]*,[^}]*\})", route)
    choices = [part[1:-1].split(",") if part.startswith("{") and "," in part else [part] for part in parts]
    return ["".join(choice) for choice in itertools.product(*choices)]


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_a_named_route_is_served(method, route, served):
    for path in _concrete(route):
        template, prefix = _template(path.removesuffix("…")), path.endswith("…")
        if prefix:
            by_app = any(known.startswith(template.rstrip("/")) for known in served["paths"])
        elif method:
            by_app = (method.replace("HEAD", "GET"), template) in served["operations"] or (
                method in ("GET", "HEAD") and template in served["undocumented"])
        else:
            by_app = template in served["paths"]
        assert by_app or template in served["gateway"], (
            f"the README names {method} {path}, which no app serves and nginx does not answer itself")
