#!/usr/bin/env python3
"""Write the examples of the services' OpenAPI documents (``medgrade_shared/examples/``): the
parse of ``samples/stroke_interview.txt``, its component scores against the ``stroke_v1``
rubric and their aggregate, as the services answer them. Run it with ``.venv/bin/python`` after a change to the
sample, the rubric, the parser or a scorer; tests/scripts/test_api_examples.py fails until then.

The key-questions result needs the sentence-embedding model (a few seconds to load): that test
leaves it out, so ``--without-key-questions`` keeps the stored one."""

from __future__ import annotations

import argparse
import json
from importlib.resources import files
from pathlib import Path
from typing import Any

from document_parser.parsing.pipeline import parse_transcript
from medgrade_shared.models.rubric import Rubric
from medgrade_shared.models.scoring import ComponentResult, ScoreRequest
from scoring.evaluators.aggregate import aggregate
from scoring.evaluators.components import SCORERS

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "stroke_interview.txt"
RUBRIC = files("rubric_management") / "examples" / "stroke_v1.json"
TARGET = ROOT / "shared" / "src" / "medgrade_shared" / "examples"


def examples(key_questions: dict[str, Any] | None) -> dict[str, Any]:
    """File name -> content. ``key_questions`` is that component's result, or None to score it."""
    text = SAMPLE.read_text(encoding="utf-8")
    rubric_document = json.loads(RUBRIC.read_text(encoding="utf-8"))
    rubric = Rubric.model_validate(rubric_document)
    parsed = parse_transcript(text, "auto", None)
    request = ScoreRequest(rubric=rubric, parsed=parsed)
    results = {name: scorer.score(request, None).model_dump(mode="json")
               for name, scorer in SCORERS.items() if not scorer.needs_model}
    if key_questions is None:
        from scoring.semantic.model import load_encoder
        key_questions = SCORERS["key_questions"].score(request, load_encoder("float32")).model_dump(mode="json")
    results["key_questions"] = key_questions
    overall = aggregate(rubric, {name: ComponentResult.model_validate(result) for name, result in results.items()})
    return {"parse_request.json": {"text": text},
            "parsed_transcript.json": parsed.model_dump(mode="json"),
            "rubric.json": rubric_document,
            "component_results.json": results,
            "aggregate_result.json": overall.model_dump(mode="json")}


def stored(name: str) -> Any:
    return json.loads((TARGET / name).read_text(encoding="utf-8"))


def render(content: Any) -> str:
    return json.dumps(content, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--without-key-questions", action="store_true",
                        help="keep the stored key-questions result instead of loading the model")
    args = parser.parse_args()
    kept = stored("component_results.json")["key_questions"] if args.without_key_questions else None
    for name, content in examples(kept).items():
        (TARGET / name).write_text(render(content), encoding="utf-8")
        print(f"wrote {(TARGET / name).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
