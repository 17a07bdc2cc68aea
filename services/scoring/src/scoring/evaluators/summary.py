"""Summary: is the closing summary short enough and does it contain the required elements?

score = 0.5 * max(0, 1 - overflow / overflow_divisor) + 0.5 * matched / required, where
overflow = max(0, tokens - max_tokens). A rubric without required elements gives that half
in full (0.5), so the score is 0.5 plus the length half. An empty summary has 0 tokens and
matches no element.

An element is a list of RE2 patterns. It is present when at least ``min_count`` of its patterns
match the summary (each pattern counted once; ``min_count`` defaults to 1, i.e. any pattern).
A counted element such as "at least two positive findings" lists one pattern per finding and
sets ``min_count: 2``; ``min_count`` must be an integer from 1 to the number of patterns, else
the rubric is refused (422 ``invalid_rubric``). The details give, per element, how many
patterns were found and how many were required (``counts``).
"""

from __future__ import annotations

from typing import Any

from medgrade_shared.citations import summary_citation
from medgrade_shared.errors import ApiError
from medgrade_shared.models.rubric import Rubric, SummaryElement
from medgrade_shared.models.scoring import ComponentResult
from medgrade_shared.models.transcript import ParsedTranscript
from medgrade_shared.text import count_tokens
from scoring.evaluators.feedback import FeedbackCollector
from scoring.evaluators.matching import compile_rubric_pattern
from scoring.evaluators.scores import fraction


def _min_count(element: SummaryElement) -> int:
    value = (element.model_extra or {}).get("min_count", 1)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= max(1, len(element.patterns)):
        raise ApiError(422, "invalid_rubric", f"min_count of summary element {element.id!r} must be an integer "
                       f"from 1 to its number of patterns ({len(element.patterns)})",
                       details={"item_id": element.id})
    return value


def score_summary(rubric: Rubric, parsed: ParsedTranscript) -> ComponentResult:
    spec = rubric.summary
    elements = spec.required_elements
    patterns = [[compile_rubric_pattern(p, element.id) for p in element.patterns] for element in elements]
    minimums = [_min_count(element) for element in elements]
    feedback = FeedbackCollector(rubric.rubric_id, "summary")
    text = parsed.summary.text
    tokens = parsed.summary.tokens or count_tokens(text)
    span = summary_citation(tokens)

    overflow = max(0, tokens - spec.max_tokens)
    length_term = max(0.0, 1 - overflow / spec.overflow_divisor)
    if overflow:
        feedback.violation(spec.anchor, f"The summary has {tokens} tokens, {overflow} over the limit of "
                           f"{spec.max_tokens}.", "major" if length_term == 0 else "minor", span)
    if not text.strip():
        feedback.violation(spec.anchor, "No summary was found.", "major")

    matched: list[str] = []
    counts: dict[str, dict[str, int]] = {}
    for element, regexes, minimum in zip(elements, patterns, minimums, strict=True):
        label = element.label or element.id
        found = sum(regex.search(text) is not None for regex in regexes) if text else 0
        counts[element.id] = {"found": found, "required": minimum}
        if found >= minimum:
            matched.append(element.id)
            feedback.success(element.anchor, f"The summary includes {label}.", span)
        else:
            feedback.violation(element.anchor, f"The summary does not include {label}.", "minor")

    element_term = fraction(len(matched), len(elements), when_empty=1.0)
    details: dict[str, Any] = {
        "tokens": tokens,
        "max_tokens": spec.max_tokens,
        "overflow": overflow,
        "length_term": length_term,
        "element_term": element_term,
        "matched": matched,
        "required": [element.id for element in elements],
        "counts": counts,
        "source": parsed.summary.source,
    }
    if not elements:
        details["note"] = "the rubric defines no required elements; that half scores in full"
    return feedback.result(0.5 * length_term + 0.5 * element_term, details)
