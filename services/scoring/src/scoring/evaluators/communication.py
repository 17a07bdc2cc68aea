"""Communication: which of the rubric's behaviours did the student show?

score = behaviours observed / behaviours defined, with the lexical phrase matcher, over the
behaviours of the submission's kind: ``communication.behaviours`` for an interview,
``communication.presentation_behaviours`` for an oral case presentation (introducing oneself to
a patient cannot occur in a presentation). A rubric that weighs communication lists at least one
interview behaviour (the rubric checks refuse it otherwise); one that weighs it 0 and lists none
is not assessed and says nothing, and so is a presentation against a rubric with no presentation
behaviours (the overall score then leaves communication out: :func:`medgrade_shared.models.
rubric_checks.scored_components`).
"""

from __future__ import annotations

from typing import Any

from medgrade_shared.models.rubric import Rubric, SubmissionKind
from medgrade_shared.models.scoring import ComponentResult
from medgrade_shared.models.transcript import ParsedTranscript
from scoring.evaluators.feedback import FeedbackCollector, assessable
from scoring.evaluators.matching import (
    LEXICAL_MATCHER,
    LEXICAL_MATCHER_VERSION,
    cite,
    first_phrase_hit,
    interviewer_lines,
)


def score_communication(rubric: Rubric, parsed: ParsedTranscript,
                        kind: SubmissionKind = "interview") -> ComponentResult:
    feedback = FeedbackCollector(rubric.rubric_id, "communication")
    if not assessable(rubric, "communication"):
        return feedback.not_assessed()
    defined = rubric.communication.for_kind(kind)
    if not defined:
        return feedback.not_applicable(kind)
    lines = interviewer_lines(parsed)
    observed = 0
    behaviours: list[dict[str, Any]] = []
    for behaviour in defined:
        hit = first_phrase_hit(lines, behaviour.phrases)
        if hit:
            observed += 1
            feedback.success(behaviour.anchor, f"Showed: {behaviour.label}.", cite(hit.utterance))
        else:
            feedback.violation(behaviour.anchor, f"Did not show: {behaviour.label}.", "minor")
        behaviours.append({"id": behaviour.id, "anchor": behaviour.anchor, "label": behaviour.label,
                           "observed": hit is not None, "matched_phrase": hit.phrase if hit else None,
                           "utterance_index": hit.utterance.index if hit else None,
                           "citation": cite(hit.utterance) if hit else None})
    details = {"matcher": LEXICAL_MATCHER, "matcher_version": LEXICAL_MATCHER_VERSION, "kind": kind,
               "observed": observed, "defined": len(defined), "behaviours": behaviours}
    return feedback.result(observed / len(defined), details)
