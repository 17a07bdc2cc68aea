"""The evaluation sets are whole. The presentation set loads with the evaluation script (which needs no
corpus for it), every rubric key question has one label, and every labelled sentence is one the
parser makes an utterance of (citation exactness compares utterances); each interview set labels
every key question of its valid rubrics once. Also the threshold criteria of the script."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

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


def _example(script, group, asked, similarity, weight=1.0):
    """One question of ``group`` whose only sentence has ``similarity`` (the toy model's one feature)."""
    from medgrade_shared.models.rubric import KeyQuestion
    from scoring.evaluators.decision import COLUMN, FEATURES
    from scoring.evaluators.key_questions import QuestionEvidence

    features = np.zeros((1, len(FEATURES)))
    features[0, COLUMN["similarity"]] = similarity
    question = KeyQuestion(id=f"q{similarity}", label="onset")
    evidence = QuestionEvidence(question, ["a sentence"], features, [""], features[:, 0], np.ones(1, dtype=bool))
    return script.Example(group, "complaint", evidence, asked, 0 if asked else None, (group, 3), weight)


def test_the_threshold_criteria_measure_the_score_error_and_the_specificity_floor():
    from scoring.evaluators.decision import COLUMN, FEATURES, DecisionModel

    script = _evaluation_script()
    weights = np.zeros(len(FEATURES))
    weights[COLUMN["similarity"]] = 10.0
    model = DecisionModel(weights, -5.0, 0.5, 1.0, nearest_only=False)  # P = sigmoid(10 * similarity - 5)
    # one consultation: an asked question at P 0.27, and two not asked at P 0.12 and 0.50
    examples = [_example(script, "c1", True, 0.4), _example(script, "c1", False, 0.3),
                _example(script, "c1", False, 0.5)]

    # threshold 0.1: all three credited, the score 1 against 1/3; 0.2: the asked one and the 0.5 one
    assert script._decision_quality(examples, model, 0.1, "mae") == pytest.approx(-2 / 3)
    assert script._decision_quality(examples, model, 0.2, "mae") == pytest.approx(-1 / 3)
    # at 0.2 one of the two not asked is credited: specificity 0.5, under the floor, so below any score error
    assert script._decision_quality(examples, model, 0.2, "mae-spec") == pytest.approx(
        -1.0 - (script.SPECIFICITY_FLOOR - 0.5))
    # at 0.6 nothing is credited: specificity 1, the score 0 against 1/3
    assert script._decision_quality(examples, model, 0.6, "mae-spec") == pytest.approx(-1 / 3)


@pytest.mark.parametrize("name", ["key_questions", "key_questions_blind"])
def test_an_interview_set_labels_every_key_question_of_its_rubrics_once(name):
    """Checked without the corpus (the script checks the transcripts' side when it runs): every
    rubric is valid, each consultation's labels are its rubric's key questions, each once, and a first asking utterance
    is given exactly when the question was asked."""
    from medgrade_shared.models.rubric import Rubric

    script = _evaluation_script()
    evaluation = script.EvaluationSet.read(ROOT / "evaluation" / name)
    mapping = json.loads(evaluation.mapping_file.read_text(encoding="utf-8"))
    rubrics = {rid: Rubric.model_validate_json((evaluation.rubrics / f"{rid}.json").read_text(encoding="utf-8"))
               for rid in set(mapping.values())}
    seen: dict[str, list[str]] = {}
    for line in (evaluation.folder / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        assert label["rubric_id"] == mapping[label["consultation"]]
        assert (label["first_index"] is not None) == label["asked"]
        if label["consultation"].startswith("day"):  # PriMock57 has times; ACI-Bench has none
            assert (label["first_time"] is not None) == label["asked"]
        assert not label["confirmation"] or label["asked"]
        seen.setdefault(label["consultation"], []).append(label["question_id"])
    assert sorted(seen) == sorted(mapping)
    for consultation, questions in seen.items():
        assert sorted(questions) == sorted(q.id for q in rubrics[mapping[consultation]].key_questions), consultation
