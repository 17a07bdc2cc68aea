"""Summary: is the closing summary short enough and does it contain the required elements?

score = 0.5 * max(0, 1 - overflow / overflow_divisor) + 0.5 * matched / required, where
overflow = max(0, tokens - max_tokens); no summary at all (none found, or only whitespace)
scores 0 and says so: a summary that is not there is not short enough. A rubric that weighs the
summary lists at least one required element (the rubric checks refuse it otherwise, see
:mod:`medgrade_shared.models.rubric_checks`); one that weighs it 0 and lists none is not assessed.

An element is a list of RE2 patterns. It is present when at least ``min_count`` of its patterns
match the summary (each pattern counted once; ``min_count`` defaults to 1, i.e. any pattern).
A counted element such as "at least two positive findings" lists one pattern per finding and
sets ``min_count: 2``; ``min_count`` must be a whole number from 1 to the number of patterns, else
the rubric is refused (422 ``invalid_rubric``). The details give, per element, how many
patterns were found and how many were required (``counts``).
"""

from __future__ import annotations

from typing import Any

from medgrade_shared.citations import summary_citation
from medgrade_shared.formulas import summary_score
from medgrade_shared.models.rubric import Rubric
from medgrade_shared.models.rubric_checks import min_count
from medgrade_shared.models.scoring import ComponentResult
from medgrade_shared.models.transcript import ParsedTranscript
from medgrade_shared.patterns import compile_pattern
from medgrade_shared.text import count_tokens
from scoring.evaluators.feedback import FeedbackCollector, assessable


def score_summary(rubric: Rubric, parsed: ParsedTranscript) -> ComponentResult:
    feedback = FeedbackCollector(rubric.rubric_id, "summary")
    if not assessable(rubric, "summary"):
        return feedback.not_assessed()
    spec = rubric.summary
    elements = spec.required_elements
    patterns = [[compile_pattern(p) for p in element.patterns] for element in elements]
    minimums = [min_count(element) for element in elements]
    text = parsed.summary.text
    present = bool(text.strip())
    tokens = parsed.summary.tokens or count_tokens(text)
    span = summary_citation(tokens)

    overflow = max(0, tokens - spec.max_tokens)
    length_term = max(0.0, 1 - overflow / spec.overflow_divisor) if present else 0.0
    if overflow:
        feedback.violation(spec.anchor, f"The summary has {tokens} tokens, {overflow} over the limit of "
                           f"{spec.max_tokens}.", "major" if length_term == 0 else "minor", span)
    if not present:
        feedback.violation(spec.anchor, "No summary was found, so the summary scores 0: close with a short "
                           "summary of the case.", "major")

    matched: list[str] = []
    counts: dict[str, dict[str, int]] = {}
    for element, regexes, minimum in zip(elements, patterns, minimums, strict=True):
        label = element.label or element.id
        found = sum(regex.search(text) is not None for regex in regexes) if present else 0
        counts[element.id] = {"found": found, "required": minimum}
        if found >= minimum:
            matched.append(element.id)
            feedback.success(element.anchor, f"The summary includes {label}.", span)
        else:
            feedback.violation(element.anchor, f"The summary does not include {label}.", "minor")

    element_term = len(matched) / len(elements)
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
    return feedback.result(summary_score(length_term, len(matched), len(elements)), details)
