"""Key questions: did the student ask what the rubric requires?

score = sum of weights of asked questions / sum of weights of all questions, where a question
weighs ``critical_weight`` when critical and ``noncritical_weight`` otherwise. A rubric
without key questions scores 1.0 and says so in the details (the approval gate refuses such
rubrics). A question is asked when an interviewer line contains one of its phrases or its
label (see :mod:`scoring.evaluators.matching`); the first such line is cited.
"""

from __future__ import annotations

from typing import Any

from medgrade_shared.errors import ApiError
from medgrade_shared.models.rubric import KeyQuestion, Rubric
from medgrade_shared.models.scoring import ComponentResult
from medgrade_shared.models.transcript import ParsedTranscript

from scoring.evaluators.feedback import FeedbackCollector
from scoring.evaluators.matching import (
    LEXICAL_MATCHER,
    LEXICAL_MATCHER_VERSION,
    PhraseHit,
    cite,
    first_phrase_hit,
    interviewer_lines,
)
from scoring.evaluators.scores import fraction


def _question_details(question: KeyQuestion, hit: PhraseHit | None) -> dict[str, Any]:
    return {
        "id": question.id,
        "anchor": question.anchor,
        "label": question.label,
        "critical": question.critical,
        "asked": hit is not None,
        "confidence": 1.0 if hit else 0.0,
        "matched_phrase": hit.phrase if hit else None,
        "method": LEXICAL_MATCHER,
        "utterance_index": hit.utterance.index if hit else None,
        "citation": cite(hit.utterance) if hit else None,
    }


def score_key_questions(rubric: Rubric, parsed: ParsedTranscript) -> ComponentResult:
    policy = rubric.key_questions_policy
    weights = [policy.critical_weight if q.critical else policy.noncritical_weight for q in rubric.key_questions]
    if rubric.key_questions and sum(weights) == 0:
        raise ApiError(422, "invalid_rubric", "key question weights sum to zero; set critical_weight "
                       "or noncritical_weight above zero")
    feedback = FeedbackCollector(rubric.rubric_id, "key_questions")
    lines = interviewer_lines(parsed)
    asked_weight = 0.0
    questions = []
    for question, weight in zip(rubric.key_questions, weights, strict=True):
        hit = first_phrase_hit(lines, [*question.phrases, question.label])
        if hit:
            asked_weight += weight
            feedback.success(question.anchor, f"Asked about {question.label}.", cite(hit.utterance))
        else:
            severity = "critical" if question.critical else "minor"
            feedback.violation(question.anchor, f"Did not ask about {question.label}.", severity)
        questions.append(_question_details(question, hit))

    coverage = fraction(asked_weight, sum(weights), when_empty=1.0)
    details: dict[str, Any] = {
        "matcher": LEXICAL_MATCHER,
        "matcher_version": LEXICAL_MATCHER_VERSION,
        "coverage": coverage,
        "coverage_threshold": policy.coverage_threshold,
        "meets_threshold": coverage >= policy.coverage_threshold,
        "questions": questions,
    }
    if not rubric.key_questions:
        details["note"] = "the rubric defines no key questions; the component scores 1.0"
    return feedback.result(coverage, details)
