"""Structure: does the presentation follow the expected section order?

score = clamp(LCS(detected, expected) / len(expected) + sum of fired penalty values, 0, 1).
A rubric that weighs structure lists an expected order (the rubric checks refuse it otherwise);
one that weighs it 0 and lists none is not assessed.
"""

from __future__ import annotations

from collections.abc import Sequence

from medgrade_shared.models.rubric import Penalty, Rubric, canonical_section
from medgrade_shared.models.scoring import ComponentResult
from medgrade_shared.models.transcript import ParsedTranscript
from scoring.evaluators.feedback import FeedbackCollector, assessable


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence (two-row dynamic programme)."""
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def _canonical(name: str) -> str:
    return canonical_section(name) or name


def penalty_fires(penalty: Penalty, detected: Sequence[str]) -> bool:
    """`missing: X` when X was not detected; `before: [A, B]` when both were and A came first."""
    rule = penalty.rule  # always set: the Penalty model derives it from the id when absent
    if rule is not None and rule.missing is not None:
        return _canonical(rule.missing) not in detected
    if rule is not None and rule.before is not None:
        first, second = (_canonical(name) for name in rule.before)
        return first in detected and second in detected and detected.index(first) < detected.index(second)
    return False


def _describe(penalty: Penalty) -> str:
    rule = penalty.rule
    if penalty.message or rule is None:
        return penalty.message or penalty.id
    if rule.missing is not None:
        return f"The {_canonical(rule.missing)} section is missing."
    first, second = (_canonical(name) for name in rule.before or ())
    return f"{first} was presented before {second}."


def score_structure(rubric: Rubric, parsed: ParsedTranscript) -> ComponentResult:
    feedback = FeedbackCollector(rubric.rubric_id, "structure")
    if not assessable(rubric, "structure"):
        return feedback.not_assessed()
    spec = rubric.structure
    expected = list(spec.expected_order)
    detected = [_canonical(name) for name in parsed.detected_order]

    lcs = lcs_length(detected, expected)
    order_term = lcs / len(expected)
    fired = [p for p in spec.penalties if penalty_fires(p, detected)]
    for penalty in fired:
        feedback.violation(penalty.anchor, _describe(penalty), "major")

    order_text = f"expected {' > '.join(expected)}; detected {' > '.join(detected) or 'none'}"
    if lcs == len(expected):
        feedback.success(spec.anchor, f"Sections follow the expected order ({order_text}).")
    else:
        feedback.violation(spec.anchor, f"Sections are missing or out of order ({order_text}).", "minor")

    details = {
        "lcs": lcs,
        "expected": expected,
        "detected": detected,
        "order_term": order_term,
        "fired_penalties": [{"id": p.id, "anchor": p.anchor, "value": p.value} for p in fired],
    }
    return feedback.result(order_term + sum(p.value for p in fired), details)
