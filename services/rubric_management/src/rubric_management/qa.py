"""The QA gate a rubric version passes before it is approved.

Errors block approval; warnings are reported and do not. First every check scoring applies at
grading time (:func:`medgrade_shared.models.rubric_checks.rubric_problems`: ``weights``,
``empty_component``, ``key_question_weights``, ``patterns``, ``min_count``), so an approved
rubric never fails a grading; then the gate's own checks, by name:

- ``schema``: the document is a rubric at all (only :func:`review_document` reports it);
- ``unique_ids``: item ids unique within each list (key questions, penalties, links, elements, behaviours);
- ``unique_anchors``: every anchor unique within the rubric;
- ``critical_question``: at least one critical key question when key questions are weighed;
- ``summary_bounds``: ``max_tokens`` > 0 and ``overflow_divisor`` > 0;
- ``patterns``: also a warning for a summary element without patterns;
- ``penalty_sections``: every penalty rule names sections listed in ``structure.expected_order``;
- ``phrases``: no phrase (after :func:`medgrade_shared.text.normalise`) shared by two key questions;
  warnings for a key question with fewer than two phrases and a phrase repeated within a question
  or normalising to nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from medgrade_shared.errors import Invalid
from medgrade_shared.models.rubric import Rubric
from medgrade_shared.models.rubric_checks import CHECKS as GRADING_CHECKS
from medgrade_shared.models.rubric_checks import rubric_problems
from medgrade_shared.text import normalise
from rubric_management.documents import validation_details


class Finding(BaseModel):
    """What one check found."""

    check: str = Field(description="The check, e.g. `unique_anchors`, `critical_question`, `patterns`.")
    severity: Literal["error", "warning"] = Field(description="An error blocks approval; a warning never does.")
    message: str = Field(description="What is wrong and where, for people.")
    loc: list[str | int] = Field(default=[], description=(
        "The path of the offending part in the rubric, e.g. `[\"key_questions\", 2, \"phrases\"]`."))


class QAReport(BaseModel):
    """The QA gate's verdict on a rubric version."""

    valid: bool = Field(description="True when no check has an error: the version may be approved.")
    checks: list[str] = Field(description="The checks that ran.")
    errors: list[Finding] = Field(description="Findings that block approval.")
    warnings: list[Finding] = Field(description="Findings worth a look that do not block approval.")


Findings = Iterator[Finding]


def _error(check: str, message: str, loc: list[str | int]) -> Finding:
    return Finding(check=check, severity="error", message=message, loc=loc)


def _warning(check: str, message: str, loc: list[str | int]) -> Finding:
    return Finding(check=check, severity="warning", message=message, loc=loc)


def _unique_ids(rubric: Rubric) -> Findings:
    lists: list[tuple[list[str | int], list[str]]] = [
        (["key_questions"], [q.id for q in rubric.key_questions]),
        (["structure", "penalties"], [p.id for p in rubric.structure.penalties]),
        (["reasoning", "required_links"], [link.id for link in rubric.reasoning.required_links]),
        (["summary", "required_elements"], [e.id for e in rubric.summary.required_elements]),
        (["communication", "behaviours"], [b.id for b in rubric.communication.behaviours]),
    ]
    for loc, ids in lists:
        for item_id, count in Counter(ids).items():
            if count > 1:
                yield _error("unique_ids", f"id {item_id!r} is used {count} times", [*loc, ids.index(item_id)])


def _unique_anchors(rubric: Rubric) -> Findings:
    for anchor, count in Counter(rubric.all_anchors_list()).items():
        if count > 1:
            yield _error("unique_anchors", f"anchor {anchor!r} is used {count} times", [])


def _critical_question(rubric: Rubric) -> Findings:
    if rubric.weights.as_dict()["key_questions"] > 0 and not any(q.critical for q in rubric.key_questions):
        yield _error("critical_question", "no key question is critical; mark at least one", ["key_questions"])


def _summary_bounds(rubric: Rubric) -> Findings:
    if rubric.summary.max_tokens <= 0:
        yield _error("summary_bounds", "max_tokens must be positive", ["summary", "max_tokens"])
    if not rubric.summary.overflow_divisor > 0:
        yield _error("summary_bounds", "overflow_divisor must be positive", ["summary", "overflow_divisor"])


def _element_patterns(rubric: Rubric) -> Findings:
    for i, element in enumerate(rubric.summary.required_elements):
        if not element.patterns:
            yield _warning("patterns", f"summary element {element.id!r} has no patterns and can never match",
                           ["summary", "required_elements", i, "patterns"])


def _penalty_sections(rubric: Rubric) -> Findings:
    expected = set(rubric.structure.expected_order)
    for i, penalty in enumerate(rubric.structure.penalties):
        rule = penalty.rule
        named = ([rule.missing] if rule.missing else list(rule.before or ())) if rule else []
        for section in named:
            if section not in expected:
                yield _error("penalty_sections",
                             f"penalty {penalty.id!r} names section {section!r}, which is not in expected_order",
                             ["structure", "penalties", i, "rule"])


def _phrases(rubric: Rubric) -> Findings:
    owners: dict[str, list[str]] = {}
    for i, question in enumerate(rubric.key_questions):
        loc: list[str | int] = ["key_questions", i, "phrases"]
        if len(question.phrases) < 2:
            yield _warning("phrases", f"key question {question.id!r} has {len(question.phrases)} phrase(s); "
                           "students who word it differently will miss it", loc)
        normalised = [normalise(phrase) for phrase in question.phrases]
        for j, phrase in enumerate(normalised):
            if phrase == " ":
                yield _warning("phrases", f"phrase {j} of {question.id!r} normalises to nothing and never matches",
                               [*loc, j])
            elif phrase in normalised[:j]:
                yield _warning("phrases", f"phrase {phrase.strip()!r} is repeated in {question.id!r}", [*loc, j])
            else:
                owners.setdefault(phrase, []).append(question.id)
    for phrase, questions in owners.items():
        if len(set(questions)) > 1:
            yield _error("phrases", f"phrase {phrase.strip()!r} belongs to several key questions: "
                         f"{', '.join(sorted(set(questions)))}", ["key_questions"])


def _grading(rubric: Rubric) -> Findings:
    for problem in rubric_problems(rubric):
        yield _error(problem.check, problem.message, problem.loc)


QA_CHECKS: dict[str, Callable[[Rubric], Findings]] = {
    "unique_ids": _unique_ids,
    "unique_anchors": _unique_anchors,
    "critical_question": _critical_question,
    "summary_bounds": _summary_bounds,
    "patterns": _element_patterns,
    "penalty_sections": _penalty_sections,
    "phrases": _phrases,
}
CHECKS = list(dict.fromkeys([*GRADING_CHECKS, *QA_CHECKS]))  # "patterns" is in both


def review(rubric: Rubric) -> QAReport:
    checks = [_grading, *QA_CHECKS.values()]
    findings = [finding for check in checks for finding in check(rubric)]
    errors = [f for f in findings if f.severity == "error"]
    return QAReport(valid=not errors, checks=CHECKS, errors=errors,
                    warnings=[f for f in findings if f.severity == "warning"])


def review_document(document: Any) -> QAReport:
    """The report for any JSON document: a schema error when it is not a rubric at all."""
    if not isinstance(document, dict):
        errors = [_error("schema", "a rubric is a JSON object", [])]
        return QAReport(valid=False, checks=["schema"], errors=errors, warnings=[])
    try:
        rubric = Rubric.model_validate(document)
    except ValidationError as exc:
        errors = [_error("schema", detail["msg"], detail["loc"]) for detail in validation_details(exc)]
        return QAReport(valid=False, checks=["schema"], errors=errors, warnings=[])
    report = review(rubric)
    return report.model_copy(update={"checks": ["schema", *report.checks]})


def rejection(report: QAReport, subject: str) -> Invalid:
    """The 422 for a report with errors; the report is in ``error.details``."""
    return Invalid("qa_failed", f"{subject} fails the QA gate; see details.errors.", report.model_dump())
