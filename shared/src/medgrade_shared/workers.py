"""Worker processes for a CPU-bound service: how many, and metrics across them.

A service whose requests are compute-bound (scoring: the sentence-embedding model, one math
thread per process) uses one core per process, so it scales by processes: uvicorn's workers,
each a fresh interpreter with its own model, sharing the listening socket. "One per CPU" counts
the CPUs this process may run on and, in a container, its CPU quota (cgroup v2 ``cpu.max``), as
the orchestrator (compose ``cpus``, an ECS task's CPU units) grants them.

Prometheus counters live in each worker's memory, so with several workers the values go through
prometheus_client's multiprocess mode: ``PROMETHEUS_MULTIPROC_DIR`` is set before the workers
start (they import prometheus_client afresh), and ``/metrics`` sums every worker's files
(:func:`exposition`).

Each worker loads its own model, and ``/ready`` is answered by whichever worker takes the
connection, so a service with several workers is ready only when every one of them is: a worker
that has loaded marks itself in the same folder (:func:`mark_ready`), and :func:`all_workers_ready`
counts the marks of live workers against the number started (``MEDGRADE_WORKER_COUNT``).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest, multiprocess

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
WORKER_COUNT_ENV = "MEDGRADE_WORKER_COUNT"
_READY_PREFIX = "ready-"
CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


def available_cpus(cpu_max: Path = CGROUP_CPU_MAX) -> int:
    """CPUs this process may use: its affinity, capped by a cgroup CPU quota when one is set."""
    count = len(os.sched_getaffinity(0))
    try:
        quota, period = cpu_max.read_text().split()
    except (OSError, ValueError):
        return count
    if quota == "max":
        return count
    return max(1, min(count, math.ceil(int(quota) / int(period))))


def resolve_workers(setting: int) -> int:
    """The worker count a setting asks for: 0 means one per available CPU."""
    return setting if setting > 0 else available_cpus()


def multiprocess_metrics() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


def exposition(registry: CollectorRegistry) -> bytes:
    """The ``/metrics`` body: this app's registry, or every worker's values in multiprocess mode."""
    if not multiprocess_metrics():
        return generate_latest(registry)
    combined = CollectorRegistry()
    multiprocess.MultiProcessCollector(combined)  # type: ignore[no-untyped-call]  # not annotated upstream
    return generate_latest(combined)


def mark_ready() -> None:
    """Record that this worker is ready (a file named by its pid in the workers' folder)."""
    folder = os.environ.get(MULTIPROC_ENV)
    if folder:
        (Path(folder) / f"{_READY_PREFIX}{os.getpid()}").touch()


def all_workers_ready() -> bool:
    """Whether every worker started has marked itself ready and is still alive (one process: True)."""
    folder, expected = os.environ.get(MULTIPROC_ENV), int(os.environ.get(WORKER_COUNT_ENV, "1"))
    if not folder or expected <= 1:
        return True
    ready = [mark for mark in Path(folder).glob(f"{_READY_PREFIX}*") if _alive(int(mark.name[len(_READY_PREFIX):]))]
    return len(ready) >= expected


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True
