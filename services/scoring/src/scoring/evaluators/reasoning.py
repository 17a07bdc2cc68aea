"""Reasoning: did the student state the clinical links the rubric requires?

score = detected links / required links, minus ``major_gap_penalty`` for each missing link
marked ``major``, clamped to [0, 1]. With no major links this is exactly detected/required.
A rubric that weighs reasoning lists at least one link (the rubric checks refuse it otherwise);
one that weighs it 0 and lists none is not assessed.

A link is detected when its RE2 pattern (the author writes word boundaries as ``\\b``)
matches, in transcript order, one interviewer sentence, or two adjacent sentences of the same
turn read together ("Your father had a stroke. That raises your own risk." states a link
across a sentence boundary), or else the separate written summary (``summary.source ==
"summary_text"``). A pattern never spans two turns or a whole monologue. The link counts only
with a student span to cite beside the rubric anchor (dual citation): the utterance of the
first matching sentence or pair, with ``sentences`` = [first, last] 0-based positions within
that utterance, else the summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from medgrade_shared.citations import summary_citation
from medgrade_shared.formulas import reasoning_score
from medgrade_shared.models.rubric import Rubric
from medgrade_shared.models.scoring import ComponentResult
from medgrade_shared.models.transcript import ParsedTranscript, SummaryText
from medgrade_shared.patterns import compile_pattern
from medgrade_shared.text import count_tokens
from scoring.evaluators.feedback import FeedbackCollector, assessable
from scoring.evaluators.matching import cite
from scoring.semantic.sentences import Sentence, interviewer_sentences

if TYPE_CHECKING:
    import re2


_NOT_FOUND: dict[str, Any] = {"source": None, "utterance_index": None, "sentences": None, "citation": None}


def _windows(sentences: Sequence[Sentence]) -> list[tuple[Sentence, int, str]]:
    """Each sentence, then it read together with the sentence before it in the same turn:
    (sentence, first position, text), in transcript order."""
    windows = []
    for i, sentence in enumerate(sentences):
        windows.append((sentence, sentence.position, sentence.text))
        previous = sentences[i - 1] if i else None
        if previous is not None and previous.utterance.index == sentence.utterance.index:
            windows.append((sentence, previous.position, f"{previous.text} {sentence.text}"))
    return windows


def _locate(regex: re2._Regexp, windows: Sequence[tuple[Sentence, int, str]],
            summary: SummaryText | None) -> dict[str, Any] | None:
    """Where the pattern first matches: an interviewer sentence or adjacent pair, else the summary."""
    for sentence, first, text in windows:
        if regex.search(text) is not None:
            return {"source": "oral", "utterance_index": sentence.utterance.index,
                    "sentences": [first, sentence.position], "citation": cite(sentence.utterance)}
    if summary is not None and regex.search(summary.text) is not None:
        tokens = summary.tokens or count_tokens(summary.text)
        return {"source": "summary", "utterance_index": None, "sentences": None, "citation": summary_citation(tokens)}
    return None


def score_reasoning(rubric: Rubric, parsed: ParsedTranscript) -> ComponentResult:
    feedback = FeedbackCollector(rubric.rubric_id, "reasoning")
    if not assessable(rubric, "reasoning"):
        return feedback.not_assessed()
    spec = rubric.reasoning
    links = spec.required_links
    patterns = [compile_pattern(link.pattern) for link in links]
    windows = _windows(interviewer_sentences(parsed))
    summary = parsed.summary if parsed.summary.source == "summary_text" else None

    detected = missing_major = 0
    link_details: list[dict[str, Any]] = []
    for link, regex in zip(links, patterns, strict=True):
        label = link.label or link.id
        found = _locate(regex, windows, summary)
        if found is not None:
            detected += 1
            feedback.success(link.anchor, f"Stated the link: {label}.", found["citation"])
        else:
            missing_major += 1 if link.major else 0
            feedback.violation(link.anchor, f"Did not state the link: {label}.", "major" if link.major else "minor")
        link_details.append({"id": link.id, "anchor": link.anchor, "major": link.major,
                             "detected": found is not None, **(found or _NOT_FOUND)})

    details: dict[str, Any] = {
        "detected": detected,
        "required": len(links),
        "missing_major": missing_major,
        "major_gap_penalty": spec.major_gap_penalty,
        "links": link_details,
    }
    return feedback.result(reasoning_score(detected, len(links), missing_major, spec.major_gap_penalty), details)
