"""The presentation evaluation set is whole: it loads with the evaluation script (which needs no
corpus for it), every rubric key question has one label, and every labelled sentence is one the
parser makes an utterance of (citation exactness compares utterances)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRESENTATIONS = ROOT / "evaluation" / "presentations"


def _evaluation_script():
    spec = importlib.util.spec_from_file_location("eval_key_questions", ROOT / "benchmarks" / "eval_key_questions.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_presentation_set_loads_whole_without_the_corpus(tmp_path):
    script = _evaluation_script()
    evaluation = script.EvaluationSet.read(PRESENTATIONS)
    assert evaluation.kind == "presentation"

    presentations = script.load_consultations(evaluation, tmp_path)  # raises on a label it cannot place

    mapping = json.loads((PRESENTATIONS / "presentations.json").read_text(encoding="utf-8"))
    assert [p.name for p in presentations] == sorted(mapping) and len(presentations) >= 20
    labels = [label for p in presentations for label in p.labels.values()]
    assert len(labels) == sum(len(p.rubric.key_questions) for p in presentations)
    for presentation in presentations:
        assert presentation.kind == "presentation"
        for label in presentation.labels.values():
            assert (label["first_index"] is not None) == label["asked"] == label["covered"]
            assert not (label["covered"] and label["left_out"])
    assert sum(label["left_out"] for label in labels) >= 2 * len(presentations)  # some items left out of each
