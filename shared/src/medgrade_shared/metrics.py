"""Prometheus metrics. Each app owns its own registry (tests get a fresh one per app).

Names: the ``medgrade_`` prefix for these families, which every service has (a service's own
families carry its domain's prefix, e.g. the orchestrator's ``grading_*``), base units, ``_total`` counters,
``_seconds`` histograms with a bucket at the 60 ms latency target; labels are bounded
(route template, method, status code, target service).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.04, 0.06, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class HttpMetrics:
    """Requests served by a service."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "medgrade_http_requests_total",
            "HTTP requests served, by route template, method and status code.",
            ["service", "route", "method", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "medgrade_http_request_duration_seconds",
            "Time to serve an HTTP request, by route template and method.",
            ["service", "route", "method"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )


class DownstreamMetrics:
    """Calls a service makes to another service."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.latency = Histogram(
            "medgrade_downstream_request_duration_seconds",
            "Time of one call attempt to a downstream service.",
            ["target", "outcome"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.errors = Counter(
            "medgrade_downstream_errors_total",
            "Failed downstream call attempts, by target service and reason.",
            ["target", "reason"],
            registry=registry,
        )
