"""The QA gate, check by check, and POST /rubrics/validate."""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from medgrade_shared.models.rubric import Rubric
from medgrade_shared.patterns import compile_pattern
from rubric_management.qa import CHECKS, review, review_document


def _errors(document: dict[str, Any]) -> list[tuple[str, list[Any]]]:
    return [(f.check, f.loc) for f in review_document(document).errors]


def _warnings(document: dict[str, Any]) -> list[str]:
    return [f.message for f in review_document(document).warnings]


def test_the_examples_pass_every_check_without_warnings(stroke: dict[str, Any]) -> None:
    report = review_document(stroke)
    assert report.valid is True
    assert report.checks == ["schema", *CHECKS]
    assert (report.errors, report.warnings) == ([], [])


def test_weights_must_sum_to_one_within_a_millionth(stroke: dict[str, Any]) -> None:
    close = {**stroke["weights"], "structure": stroke["weights"]["structure"] + 5e-7}
    assert _errors({**stroke, "weights": close}) == []
    off = {**stroke["weights"], "structure": stroke["weights"]["structure"] + 2e-6}
    assert _errors({**stroke, "weights": off}) == [("weights", ["weights"])]


def test_all_five_weights_must_be_given(stroke: dict[str, Any]) -> None:
    weights = {k: v for k, v in stroke["weights"].items() if k != "communication"}
    weights["summary"] += stroke["weights"]["communication"]
    assert _errors({**stroke, "weights": weights}) == [("weights", ["weights", "communication"])]


def test_negative_weights_are_a_schema_error_and_a_weights_error(stroke: dict[str, Any]) -> None:
    assert _errors({**stroke, "weights": {**stroke["weights"], "structure": -0.1}}) == \
        [("schema", ["weights", "structure"])]
    rubric = Rubric.model_validate(stroke)
    rubric.weights.structure = -0.15
    rubric.weights.key_questions = 0.75
    assert [(f.check, f.loc) for f in review(rubric).errors] == [("weights", ["weights", "structure"])]


def test_ids_must_be_unique_within_each_list(stroke: dict[str, Any]) -> None:
    doc = copy.deepcopy(stroke)
    doc["key_questions"][1]["id"] = doc["key_questions"][0]["id"]
    doc["key_questions"][1]["anchor"] = "Q.second"
    doc["reasoning"]["required_links"][1]["id"] = doc["reasoning"]["required_links"][0]["id"]
    doc["reasoning"]["required_links"][1]["anchor"] = "R.second"
    assert _errors(doc) == [("unique_ids", ["key_questions", 0]), ("unique_ids", ["reasoning", "required_links", 0])]


def test_anchors_must_be_unique(stroke: dict[str, Any]) -> None:
    doc = copy.deepcopy(stroke)
    doc["key_questions"][1]["anchor"] = doc["key_questions"][0]["anchor"]
    assert [check for check, _ in _errors(doc)] == ["schema"]
    rubric = Rubric.model_validate(stroke)
    rubric.key_questions[1].anchor = rubric.key_questions[0].anchor
    assert [f.check for f in review(rubric).errors] == ["unique_anchors"]


def test_at_least_one_key_question_is_critical(stroke: dict[str, Any]) -> None:
    questions = [{**q, "critical": False} for q in stroke["key_questions"]]
    assert _errors({**stroke, "key_questions": questions}) == [("critical_question", ["key_questions"])]


def test_summary_bounds_must_be_positive(stroke: dict[str, Any]) -> None:
    assert [c for c, _ in _errors({**stroke, "summary": {**stroke["summary"], "max_tokens": 0}})] == ["schema"]
    rubric = Rubric.model_validate(stroke)
    rubric.summary.max_tokens = 0
    rubric.summary.overflow_divisor = -1.0
    assert [(f.check, f.loc) for f in review(rubric).errors] == [
        ("summary_bounds", ["summary", "max_tokens"]), ("summary_bounds", ["summary", "overflow_divisor"])]


@pytest.mark.parametrize("pattern", [r"(a)\1", "(?<=a)b", "   ", "(unclosed"])
def test_every_pattern_is_non_empty_and_compiles_under_re2(stroke: dict[str, Any], pattern: str) -> None:
    doc = copy.deepcopy(stroke)
    doc["summary"]["required_elements"][0]["patterns"] = [pattern]
    assert _errors(doc) == [("patterns", ["summary", "required_elements", 0, "patterns", 0])]


def test_a_catastrophic_backtracking_pattern_passes_and_runs_in_linear_time(stroke: dict[str, Any]) -> None:
    doc = copy.deepcopy(stroke)
    doc["reasoning"]["required_links"][0]["pattern"] = "(a+)+$"
    assert _errors(doc) == []
    started = time.perf_counter()
    assert compile_pattern("(a+)+$").search("a" * 100_000 + "b") is None
    assert time.perf_counter() - started < 1.0


def test_penalty_rules_name_sections_in_the_expected_order(stroke: dict[str, Any]) -> None:
    doc = copy.deepcopy(stroke)
    doc["structure"]["expected_order"] = [s for s in doc["structure"]["expected_order"] if s != "Summary"]
    assert _errors(doc) == [("penalty_sections", ["structure", "penalties", 0, "rule"])]


def test_a_phrase_shared_by_two_questions_after_normalisation_is_an_error(stroke: dict[str, Any]) -> None:
    doc = copy.deepcopy(stroke)
    first = doc["key_questions"][0]["phrases"][0]
    doc["key_questions"][1]["phrases"].append(f"  {first.upper()}?! ")
    report = review_document(doc)
    assert [(f.check, f.loc) for f in report.errors] == [("phrases", ["key_questions"])]
    assert first in report.errors[0].message
    assert doc["key_questions"][0]["id"] in report.errors[0].message


def test_thin_phrases_are_warnings_that_do_not_block(stroke: dict[str, Any]) -> None:
    doc = copy.deepcopy(stroke)
    doc["key_questions"][0]["phrases"] = ["last known well", "Last known well!", "???"]
    doc["key_questions"][1]["phrases"] = ["weakness"]
    doc["summary"]["required_elements"][0]["patterns"] = []
    report = review_document(doc)
    assert report.valid is True
    assert len(report.warnings) == 4
    assert {f.check for f in report.warnings} == {"phrases", "patterns"}


def test_a_document_that_is_not_a_rubric_gets_a_schema_report() -> None:
    report = review_document({"rubric_id": "x"})
    assert (report.valid, report.checks) == (False, ["schema"])
    assert report.errors[0].loc == ["weights"]
    assert review_document(["not", "an", "object"]).errors[0].message == "a rubric is a JSON object"


def test_validate_reports_without_storing_and_refuses_errors(empty_client: TestClient, stroke: dict[str, Any]) -> None:
    good = empty_client.post("/rubrics/validate", json=stroke)
    assert good.status_code == 200
    assert good.json()["valid"] is True
    assert good.json()["checks"] == ["schema", *CHECKS]
    bad = empty_client.post("/rubrics/validate", json={**stroke, "weights": {**stroke["weights"], "summary": 0.5}})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "qa_failed"
    assert bad.json()["error"]["details"]["valid"] is False
    assert bad.json()["error"]["details"]["errors"][0]["check"] == "weights"
    backref = copy.deepcopy(stroke)
    backref["reasoning"]["required_links"][0]["pattern"] = r"(a)\1"
    response = empty_client.post("/rubrics/validate", json=backref)
    assert response.status_code == 422
    assert response.json()["error"]["details"]["errors"][0]["check"] == "patterns"
    not_a_rubric = empty_client.post("/rubrics/validate", json={"rubric_id": "x"})
    assert not_a_rubric.status_code == 422
    assert not_a_rubric.json()["error"]["details"]["checks"] == ["schema"]
    assert empty_client.get("/rubrics").json()["total"] == 0


def test_a_weighed_component_the_rubric_leaves_empty_is_refused(stroke: dict[str, Any]) -> None:
    doc = copy.deepcopy(stroke)
    doc["communication"]["behaviours"] = []
    [finding] = review_document(doc).errors
    assert (finding.check, finding.loc) == ("empty_component", ["communication", "behaviours"])
    assert finding.message.startswith("communication has weight 0.05 but the rubric lists no communication behaviours")
    # weighing it 0 makes the same rubric pass: a part not graded may stay empty
    doc["weights"].update(communication=0.0, summary=doc["weights"]["summary"] + doc["weights"]["communication"])
    assert _errors(doc) == []


def test_a_summary_element_min_count_that_scoring_refuses_is_refused(stroke: dict[str, Any]) -> None:
    doc = copy.deepcopy(stroke)
    doc["summary"]["required_elements"][0]["min_count"] = 3
    assert _errors(doc) == [("min_count", ["summary", "required_elements", 0, "min_count"])]
