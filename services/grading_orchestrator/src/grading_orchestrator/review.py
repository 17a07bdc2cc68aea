"""Whether a grade may be released unseen: the warnings of a grading and its ``needs_review``.

The parse says what it could not read (no speaker labels, roles inferred, speakers not
recognised, no interviewer questions, a very short transcript; for a presentation only what
applies to one: a presentation is a monologue without questions, and one that holds a dialogue
is flagged instead); the key-question component
says whether the consultation is about what the rubric is for, and how much of its weight
rests on decisions near the threshold. Those become the grading's warnings; the ones in
:data:`REVIEW_CODES` mean the grade should not reach the student before a teacher has looked.
"""

from __future__ import annotations

from typing import Any

from medgrade_shared.models.rubric import SubmissionKind
from medgrade_shared.models.warnings import GradingWarning

REVIEW_CODES = frozenset({
    "monologue", "roles_inferred", "speakers_not_recognised", "no_interviewer", "no_interviewer_questions",
    "short_transcript", "rubric_misfit", "uncertain_decisions", "presentation_dialogue",
})
# What the parse says of an interview that is what a presentation should be.
_INTERVIEW_ONLY = frozenset({"monologue", "no_interviewer_questions"})
_SUBJECT: dict[SubmissionKind, str] = {"interview": "consultation", "presentation": "presentation"}
_OPENING: dict[SubmissionKind, str] = {"interview": "patient's", "presentation": "student's"}
# Decisions near the threshold that together could move the overall score by more than this
# (a tenth: about a grade band) need a teacher to check them.
UNCERTAIN_SWING = 0.1


def _parse_warnings(kind: SubmissionKind, parsed: dict[str, Any]) -> list[GradingWarning]:
    warnings = [GradingWarning.model_validate(w) for w in parsed.get("warnings", [])]
    if kind == "interview":
        return warnings
    warnings = [w for w in warnings if w.code not in _INTERVIEW_ONLY]
    answering = [s["label"] for s in parsed.get("speakers", []) if s.get("role") == "patient"]
    if answering:
        warnings.append(GradingWarning(
            code="presentation_dialogue",
            message=f"This was submitted as a presentation but reads as a dialogue (speaker(s) "
                    f"{', '.join(repr(label) for label in answering)} answer as the patient): only the student's "
                    "words are graded; check that it is not an interview."))
    return warnings


def grading_warnings(rubric_id: str, kind: SubmissionKind, parsed: dict[str, Any],
                     components: dict[str, dict[str, Any]],
                     breakdown: dict[str, dict[str, Any]]) -> list[GradingWarning]:
    warnings = _parse_warnings(kind, parsed)
    details = components.get("key_questions", {}).get("details", {})
    fit = details.get("rubric_fit") or {}
    if fit.get("fits") is False:
        warnings.append(GradingWarning(
            code="rubric_misfit",
            message=f"The {_SUBJECT[kind]} does not seem to be about what rubric {rubric_id!r} is for (the "
                    f"{_OPENING[kind]} opening words are at most {fit['similarity']:.2f} similar to its title and "
                    f"description; {fit['threshold']:.2f} is needed): check that the right rubric was chosen.",
            utterances=[fit["utterance_index"]] if fit.get("utterance_index") is not None else []))
    swing = details.get("uncertain_share", 0.0) * breakdown.get("key_questions", {}).get("weight", 0.0)
    if swing > UNCERTAIN_SWING:
        uncertain = [q["label"] for q in details.get("questions", []) if q.get("uncertain")]
        warnings.append(GradingWarning(
            code="uncertain_decisions",
            message=f"Key-question decisions close to the threshold ({', '.join(uncertain)}) could change the "
                    f"overall score by up to {swing:.2f}: check them against the transcript."))
    return warnings


def needs_review(warnings: list[GradingWarning]) -> list[str]:
    """The review reasons (warning codes), in order; empty when the grade can be released."""
    return list(dict.fromkeys(w.code for w in warnings if w.code in REVIEW_CODES))
