"""Aggregate: the weighted overall score and the cited feedback of all components.

overall = sum of weight * score over the components. The weights must pass the rubric checks
(all five given, summing to 1.0; :mod:`medgrade_shared.models.rubric_checks`). Every component
the submission's kind is scored on must be present (each weighted one, except communication in a
presentation whose rubric lists no presentation behaviours, :func:`~medgrade_shared.models.
rubric_checks.scored_components`): a grade is never made from a partial set. The weights of
those are rescaled to sum to 1 (:func:`medgrade_shared.formulas.weighted_overall`). A component
weighing 0, or not applicable to the kind, adds nothing and none of its feedback reaches the
student. Feedback is re-checked
against this rubric version: an item whose rubric citation names another rubric or an
anchor this version does not have is dropped and counted, never emitted.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from medgrade_shared.citations import rubric_anchor
from medgrade_shared.errors import Invalid
from medgrade_shared.formulas import weighted_overall
from medgrade_shared.models.rubric import Rubric, SubmissionKind
from medgrade_shared.models.rubric_checks import require_gradable, scored_components
from medgrade_shared.models.scoring import AggregateResult, BreakdownEntry, ComponentResult, FeedbackItem
from medgrade_shared.models.vocabulary import ComponentName

log = logging.getLogger(__name__)


def _check_request(rubric: Rubric, components: Mapping[ComponentName, ComponentResult],
                   kind: SubmissionKind) -> list[str]:
    require_gradable(rubric, None)
    scored = scored_components(rubric, kind)
    missing = [name for name in scored if name not in components]
    if missing:
        raise Invalid("missing_components", f"results are missing for weighted components: {', '.join(missing)}",
                      details={"missing": missing})
    mislabelled = [name for name, result in components.items() if result.component != name]
    if mislabelled:
        raise Invalid("component_mismatch", f"results filed under the wrong component: {', '.join(mislabelled)}",
                      details={"components": mislabelled})
    return scored


def _cites_this_rubric(item: FeedbackItem, rubric: Rubric, anchors: frozenset[str]) -> bool:
    cited = [rubric_anchor(c) for c in item.citations]
    return all(ref[0] == rubric.rubric_id and ref[1] in anchors for ref in cited if ref is not None)


def _rubric_position(item: FeedbackItem, anchor_order: Mapping[str, int]) -> int:
    """Where the item's first rubric citation sits in the rubric (kept items cite known anchors)."""
    return next(anchor_order[ref[1]] for ref in map(rubric_anchor, item.citations) if ref is not None)


def aggregate(rubric: Rubric, components: Mapping[ComponentName, ComponentResult],
              kind: SubmissionKind = "interview") -> AggregateResult:
    scored = _check_request(rubric, components, kind)
    anchors = rubric.anchors()
    anchor_order = {anchor: position for position, anchor in enumerate(rubric.all_anchors_list())}

    overall, shares = weighted_overall(rubric.weights.as_dict(), {name: components[name].score for name in scored})
    breakdown: dict[ComponentName, BreakdownEntry] = {name: BreakdownEntry(**share) for name, share in shares.items()}
    feedback: list[FeedbackItem] = []
    dropped = 0
    for name in scored:
        result = components[name]
        items = [*result.violations, *result.successes]
        kept = [item for item in items if _cites_this_rubric(item, rubric, anchors)]
        dropped += len(items) - len(kept)
        feedback += sorted(kept, key=lambda item: (item.kind != "violation", _rubric_position(item, anchor_order)))
    if dropped:
        log.warning("dropped feedback citing unknown rubric anchors", extra={"dropped_feedback": dropped})
    return AggregateResult(overall=overall, breakdown=breakdown, feedback=feedback,
                           dropped_feedback=dropped)

