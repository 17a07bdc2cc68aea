"""Scoring runs one worker process per CPU (its default) on one port, and its metrics count the
requests every worker served."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from medgrade_shared.workers import available_cpus

from .conftest import SCORING

REQUESTS = 40


def health_count() -> float:
    metrics = httpx.get(f"{SCORING}/metrics", timeout=5).text
    prefix = 'medgrade_http_requests_total{method="GET",route="/health",service="scoring",status="200"} '
    return next((float(line[len(prefix):]) for line in metrics.splitlines() if line.startswith(prefix)), 0.0)


def workers_of(pid: int) -> list[int]:
    """The worker processes uvicorn spawned under ``pid`` (multiprocessing's spawn children)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            command = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields.get("PPid", "0")) == pid and b"spawn_main" in command:
            found.append(int(status.parent.name))
    return found


def test_scoring_runs_a_worker_per_cpu(suite):
    if suite.kind != "local":
        pytest.skip("the process tree is the container's")
    if available_cpus() < 2:
        pytest.skip("one CPU: one worker, nothing to count")
    pid = int((suite.run_dir / "scoring.pid").read_text())
    assert len(workers_of(pid)) == available_cpus()


def test_metrics_count_the_requests_of_every_worker():
    before = health_count()
    for _ in range(REQUESTS):  # a new connection each time: the kernel spreads them over the workers
        assert httpx.get(f"{SCORING}/health", timeout=5).status_code == 200
    assert health_count() - before == REQUESTS


def test_scoring_is_ready_only_when_every_worker_has_its_model(suite):
    """`/ready` reaches any worker; each answers for all, so a new connection to each says the same."""
    if suite.kind != "local" or available_cpus() < 2:
        pytest.skip("one worker, or the process tree is the container's")
    pids = workers_of(int((suite.run_dir / "scoring.pid").read_text()))
    environment = Path(f"/proc/{pids[0]}/environ").read_bytes().split(b"\0")  # set for the workers at start
    folder = next(Path(item.split(b"=", 1)[1].decode()) for item in environment
                  if item.startswith(b"PROMETHEUS_MULTIPROC_DIR="))
    assert sorted(int(mark.name.split("-")[1]) for mark in folder.glob("ready-*")) == sorted(pids)
    for _ in range(10):
        ready = httpx.get(f"{SCORING}/ready", timeout=5)
        assert ready.status_code == 200 and ready.json()["checks"]["workers"] is True
