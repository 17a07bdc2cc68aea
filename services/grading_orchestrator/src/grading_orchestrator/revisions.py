"""A teacher's review of a grading: overrides applied to the latest revision, rescored with the
scoring formulas (:mod:`medgrade_shared.formulas`, the functions the scoring service uses).

Revision 0 is the machine's grading (``gradings/<id>.json``), never rewritten. Each review
writes one new immutable object, ``gradings/<id>/revisions/<n>.json``, with ``put_new``: two
reviews of the same revision race for the same key, one wins and the other is told its
revision is stale (412), so no review is ever lost or silently overwritten.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from medgrade_shared.citations import rubric_anchor, rubric_citation, utterance_citation
from medgrade_shared.errors import Invalid
from medgrade_shared.formulas import (
    clamp_score,
    key_question_coverage,
    question_weight,
    reasoning_score,
    summary_score,
    weighted_overall,
)
from medgrade_shared.models.review import Override, ReviewRequest
from medgrade_shared.models.rubric import Rubric
from medgrade_shared.models.transcript import ParsedTranscript


def etag(grading_id: str, revision: int) -> str:
    return f'"{grading_id}.{revision}"'


def _unknown(kind: str, given: str, known: list[str]) -> Invalid:
    words = {"key_question": "key question", "reasoning_link": "reasoning link",
             "summary_element": "summary element", "component": "component"}[kind]
    listed = ", ".join(known) if known else "none"
    return Invalid("unknown_override", f"This grading has no {words} {given!r}; its {words}s are: {listed}.",
                   {"kind": kind, "id": given, "known": known})


def _component_details(document: dict[str, Any], component: str, kind: str, given: str) -> dict[str, Any]:
    if component not in document["details"]:
        raise _unknown(kind, given, [])
    return document["details"][component]["details"]


def _feedback_for(document: dict[str, Any], component: str, anchor: str, item: dict[str, Any]) -> None:
    """The machine's feedback on ``anchor`` gives way to the teacher's decision."""
    rubric_id = document["rubric_id"]

    def about_anchor(feedback: dict[str, Any]) -> bool:
        return any(rubric_anchor(c) == (rubric_id, anchor) for c in feedback["citations"])

    document["feedback"] = [f for f in document["feedback"] if not about_anchor(f)]
    document["feedback"].append({"component": component, **item})


def _key_question(document: dict[str, Any], override: Override, rubric: Rubric,
                  transcript: ParsedTranscript | None) -> dict[str, Any]:
    details = _component_details(document, "key_questions", override.kind, override.id)
    questions = details["questions"]
    question = next((q for q in questions if q["id"] == override.id), None)
    if question is None:
        raise _unknown(override.kind, override.id, [q["id"] for q in questions])
    before = {"asked": question["asked"], "utterance_index": question.get("utterance_index")}
    citations = [rubric_citation(document["rubric_id"], question["anchor"])]
    if override.asked:
        utterance = _interviewer_utterance(transcript, override.utterance_index)
        question.update(asked=True, utterance_index=utterance.index,
                        citation=utterance_citation(utterance.index, utterance.start, utterance.end))
        citations.append(question["citation"])
    else:
        question.update(asked=False, utterance_index=None, citation=None)
    question.update(method="teacher", uncertain=False, overridden_by_teacher=True)
    policy = rubric.key_questions_policy
    weights = [question_weight(q.get("critical", False), policy.critical_weight, policy.noncritical_weight)
               for q in questions]
    coverage = key_question_coverage(weights, [q["asked"] for q in questions])
    details.update(coverage=coverage, meets_threshold=coverage >= policy.coverage_threshold)
    document["details"]["key_questions"]["score"] = clamp_score(coverage)
    severity = "critical" if question.get("critical") else "minor"
    _feedback_for(document, "key_questions", question["anchor"], {
        "kind": "success" if override.asked else "violation", "severity": "info" if override.asked else severity,
        "message": f"{'Asked' if override.asked else 'Did not ask'} about {question['label']} (teacher's review).",
        "citations": citations})
    return {"before": before, "after": {"asked": question["asked"], "utterance_index": question["utterance_index"]}}


def _interviewer_utterance(transcript: ParsedTranscript | None, index: int | None):
    if transcript is None:
        raise Invalid("transcript_not_kept", "This grading was stored without its transcript, so the "
                      "utterance that asks the question cannot be checked.")
    if index is None or not 0 <= index < len(transcript.utterances):
        raise Invalid("bad_utterance_index", f"The transcript has no utterance {index}; its utterances are "
                      f"numbered 0 to {len(transcript.utterances) - 1}.",
                      {"utterance_index": index, "utterances": len(transcript.utterances)})
    utterance = transcript.utterances[index]
    if utterance.role != "interviewer":
        raise Invalid("not_an_interviewer_utterance", f"Utterance {index} was said by {utterance.speaker!r} "
                      f"({utterance.role}), not by the student: cite a line the student said.",
                      {"utterance_index": index, "role": utterance.role})
    return utterance


def _reasoning_link(document: dict[str, Any], override: Override, rubric: Rubric) -> dict[str, Any]:
    details = _component_details(document, "reasoning", override.kind, override.id)
    links = details["links"]
    link = next((item for item in links if item["id"] == override.id), None)
    if link is None:
        raise _unknown(override.kind, override.id, [item["id"] for item in links])
    before = {"stated": link["detected"]}
    link["detected"] = override.stated
    link.update(source="teacher" if override.stated else None, overridden_by_teacher=True)
    detected = sum(item["detected"] for item in links)
    missing_major = sum(1 for item in links if item.get("major") and not item["detected"])
    details.update(detected=detected, missing_major=missing_major)
    document["details"]["reasoning"]["score"] = clamp_score(
        reasoning_score(detected, len(links), missing_major, rubric.reasoning.major_gap_penalty))
    label = next((rl.label or rl.id for rl in rubric.reasoning.required_links if rl.id == link["id"]), link["id"])
    _feedback_for(document, "reasoning", link["anchor"], {
        "kind": "success" if override.stated else "violation",
        "severity": "info" if override.stated else ("major" if link.get("major") else "minor"),
        "message": f"{'Stated' if override.stated else 'Did not state'} the link: {label} (teacher's review).",
        "citations": [rubric_citation(document["rubric_id"], link["anchor"])]})
    return {"before": before, "after": {"stated": override.stated}}


def _summary_element(document: dict[str, Any], override: Override, rubric: Rubric) -> dict[str, Any]:
    details = _component_details(document, "summary", override.kind, override.id)
    required = details["required"]
    if override.id not in required:
        raise _unknown(override.kind, override.id, required)
    before = {"present": override.id in details["matched"]}
    matched = set(details["matched"]) - {override.id} | ({override.id} if override.present else set())
    details["matched"] = [element for element in required if element in matched]
    details["element_term"] = len(matched) / len(required)
    details["overridden_by_teacher"] = sorted({*details.get("overridden_by_teacher", []), override.id})
    document["details"]["summary"]["score"] = clamp_score(
        summary_score(details["length_term"], len(matched), len(required)))
    element = next(e for e in rubric.summary.required_elements if e.id == override.id)
    _feedback_for(document, "summary", element.anchor, {
        "kind": "success" if override.present else "violation", "severity": "info" if override.present else "minor",
        "message": f"The summary {'includes' if override.present else 'does not include'} "
                   f"{element.label or element.id} (teacher's review).",
        "citations": [rubric_citation(document["rubric_id"], element.anchor)]})
    return {"before": before, "after": {"present": override.present}}


def apply_review(base: dict[str, Any], request: ReviewRequest, rubric: Rubric, transcript: ParsedTranscript | None,
                 *, revision: int, reviewer: str) -> dict[str, Any]:
    """The next revision: ``base`` (the latest revision) with the overrides applied, every
    component rescored with the shared formulas, the overall recomputed from the rubric's
    weights, and the review (who, when, why, what changed) recorded."""
    document = copy.deepcopy(base)
    for field in ("revisions", "reviewed"):
        document.pop(field, None)
    changes = []
    decisions = [o for o in request.overrides if o.kind != "component"]
    for override in [*decisions, *(o for o in request.overrides if o.kind == "component")]:
        if override.kind == "key_question":
            change = _key_question(document, override, rubric, transcript)
        elif override.kind == "reasoning_link":
            change = _reasoning_link(document, override, rubric)
        elif override.kind == "summary_element":
            change = _summary_element(document, override, rubric)
        else:
            if override.name not in document["details"]:
                raise _unknown("component", override.name, list(document["details"]))
            change = {"before": {"score": document["details"][override.name]["score"]},
                      "after": {"score": clamp_score(override.score)}}
            document["details"][override.name]["score"] = clamp_score(override.score)
        changes.append({"kind": override.kind, "id": override.name if override.kind == "component" else override.id,
                        **change})
    components = {name: document["details"][name]["score"] for name in document["components"]}
    document["components"] = components
    document["overall"], document["breakdown"] = weighted_overall(rubric.weights.as_dict(), components)
    document["revision"] = revision
    document["review"] = {"revision": revision, "based_on": revision - 1, "reviewer": reviewer,
                          "reviewed_at": datetime.now(UTC).isoformat(), "reason": request.reason, "changes": changes}
    return document


def direction(change: dict[str, Any]) -> str:
    """``added`` / ``removed`` for a decision turned on / off, ``raised`` / ``lowered`` for a
    component score, ``unchanged`` when the teacher confirmed the machine."""
    before, after = next(iter(change["before"].values())), next(iter(change["after"].values()))
    if isinstance(after, bool):
        return "unchanged" if before == after else ("added" if after else "removed")
    return "unchanged" if before == after else ("raised" if after > before else "lowered")


def summary(document: dict[str, Any]) -> dict[str, Any]:
    """One line of ``revisions``: revision 0 is the machine's."""
    review = document.get("review")
    if review is None:
        return {"revision": 0, "by": "machine", "at": document["created_at"], "reason": None, "changes": 0,
                "overall": document["overall"]}
    return {"revision": review["revision"], "by": review["reviewer"], "at": review["reviewed_at"],
            "reason": review["reason"], "changes": len(review["changes"]), "overall": document["overall"]}
