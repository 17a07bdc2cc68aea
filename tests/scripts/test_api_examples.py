"""The shared examples of the OpenAPI documents are current: scripts/make_api_examples.py
writes the same files again (the key-questions result, which needs the model, is kept)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_stored_examples_are_what_the_script_writes():
    spec = importlib.util.spec_from_file_location("make_api_examples", ROOT / "scripts" / "make_api_examples.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    kept = script.stored("component_results.json")["key_questions"]
    for name, content in script.examples(kept).items():
        assert (script.TARGET / name).read_text(encoding="utf-8") == script.render(content), (
            f"{name} is out of date: run .venv/bin/python scripts/make_api_examples.py")
