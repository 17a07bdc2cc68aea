"""Grading metrics published by the orchestrator."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

SCORE_BUCKETS = tuple(round(0.1 * i, 1) for i in range(1, 11))


class GradingMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.overall_score = Histogram(
            "grading_overall_score", "Overall score of each completed grading (0-1).",
            buckets=SCORE_BUCKETS, registry=registry,
        )
        self.component_score = Histogram(
            "grading_component_score", "Score of each component of each completed grading (0-1).",
            ["component"], buckets=SCORE_BUCKETS, registry=registry,
        )
        self.warnings = Counter(
            "grading_warnings_total", "Warnings attached to completed gradings, by warning code.",
            ["code"], registry=registry,
        )
        self.review_reasons = Counter(
            "grading_review_reasons_total", "Completed gradings flagged `needs_review`, by reason (warning code).",
            ["reason"], registry=registry,
        )
        self.review_overrides = Counter(
            "grading_review_overrides_total", "Decisions and scores teachers overrode in reviews, by rubric, item "
            "(`<kind>:<id>`, bounded by the rubric) and direction (added, removed, raised, lowered, unchanged).",
            ["rubric_id", "item", "direction"], registry=registry,
        )
        self.errors = Counter(
            "grading_errors_total", "Gradings that failed, by pipeline stage and reason.",
            ["stage", "reason"], registry=registry,
        )
