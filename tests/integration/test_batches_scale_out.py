"""Production's batch topology on this machine: state in S3 and items in SQS (a real moto
server on 127.0.0.1), one orchestrator of role ``api`` that takes the batch and two of role
``worker`` that grade it, against the suite's real rubric, parser and scoring services. A
57-item batch survives a worker killed twice (SIGKILL, mid-item): every item is graded, no
item is stored twice, and the batch is reported complete."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import httpx
import orjson
import pytest

from grading_orchestrator.batch_queue_sqs import create_queues
from medgrade_shared import registry
from medgrade_shared.testing.ports import free_port

from .backends import backend_kind, url
from .conftest import ROOT, internal_headers, sample

pytest_plugins = ["medgrade_shared.testing.moto_server"]

N_ITEMS = 57
BIN = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin" / registry.ORCHESTRATOR.console_script
# Short, so an item whose worker was killed comes back within seconds (the settings insist the
# visibility timeout outlasts the deadline times the attempts).
DEADLINE_S, ATTEMPTS, VISIBILITY_S = 10, 1, 15
AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


class Orchestrator:
    """One orchestrator process of a role, on a free port, logging to a file."""

    def __init__(self, role: str, env: dict[str, str], log_dir: Path) -> None:
        self.role, self.env, self.log = role, env, log_dir / f"{role}-{uuid.uuid4().hex[:6]}.log"
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        prefix = registry.ORCHESTRATOR.env_prefix
        env = {**self.env, f"{prefix}PORT": str(port), f"{prefix}ROLE": self.role}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([str(BIN)], env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the {self.role} orchestrator exited:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.url + "/ready", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        pytest.fail(f"the {self.role} orchestrator was not ready within 60 s:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def aws(s3_endpoint, monkeypatch) -> dict[str, str]:
    """A bucket and a queue with its dead letters: the settings of both, as the orchestrator reads them."""
    for name, value in AWS_ENV.items():
        monkeypatch.setenv(name, value)
    name = f"scale-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(Bucket=name)
    sqs = boto3.client("sqs", endpoint_url=s3_endpoint, region_name="us-east-1")
    queue_url, dead_url = create_queues(sqs, name, VISIBILITY_S, 5)
    return {"STORE_BACKEND": "s3", "S3_BUCKET": name, "S3_ENDPOINT_URL": s3_endpoint,
            "BATCH_QUEUE_BACKEND": "sqs", "BATCH_QUEUE_URL": queue_url, "BATCH_DEAD_LETTER_QUEUE_URL": dead_url,
            "SQS_ENDPOINT_URL": s3_endpoint, "BATCH_VISIBILITY_TIMEOUT_S": str(VISIBILITY_S)}


@pytest.fixture
def topology(aws, tmp_path) -> Iterator[tuple[Orchestrator, list[Orchestrator]]]:
    if backend_kind() != "local":
        pytest.skip("starts orchestrator processes beside the local suite (local mode only)")
    prefix = registry.ORCHESTRATOR.env_prefix
    token = next(iter(internal_headers().values()))
    env = {**os.environ, **AWS_ENV, "MEDGRADE_INTERNAL_TOKEN": token,
           **{f"{prefix}{key}": value for key, value in aws.items()},
           f"{prefix}HOST": "127.0.0.1", f"{prefix}AUTH_REQUIRED": "false",
           f"{prefix}GRADING_DEADLINE_S": str(DEADLINE_S), f"{prefix}BATCH_ITEM_ATTEMPTS": str(ATTEMPTS),
           f"{prefix}BATCH_RETRY_BACKOFF_S": "0.2",
           **{f"{prefix}{setting.upper()}": url(part) for setting, part in registry.ORCHESTRATOR_UPSTREAMS.items()}}
    api = Orchestrator("api", env, tmp_path)
    workers = [Orchestrator("worker", env, tmp_path) for _ in range(2)]
    try:
        for process in (api, *workers):
            process.start()
        yield api, workers
    finally:
        for process in (api, *workers):
            process.kill()


def batch_status(api: Orchestrator, batch_id: str) -> dict:
    response = httpx.get(f"{api.url}/batches/{batch_id}", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def wait_until(api: Orchestrator, batch_id: str, done, timeout_s: float, what: str) -> dict:
    deadline = time.monotonic() + timeout_s
    while not done(current := batch_status(api, batch_id)):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}: {current}")
        time.sleep(0.25)
    return current


def test_a_57_item_batch_on_s3_and_sqs_survives_a_worker_killed_twice(topology, aws):
    api, workers = topology
    text = sample("stroke_interview.txt")
    students = [f"scale-s{i:03d}" for i in range(N_ITEMS)]
    items = [{"student_id": s, "transcript": f"{text}\n[09:59] Patient: Thank you ({s})."} for s in students]
    response = httpx.post(f"{api.url}/batches", json={"rubric_id": "stroke_v1", "items": items}, timeout=60)
    assert response.status_code == 202, response.text
    batch_id = response.json()["batch_id"]

    for kill_after in (8, 30):  # graded items before each kill; the worker is mid-item when killed
        wait_until(api, batch_id, lambda s, n=kill_after: s["done"] >= n, 240, f"{kill_after} items graded")
        state = batch_status(api, batch_id)
        assert state["state"] != "complete", "the batch completed before the worker could be killed"
        workers[0].kill()
        workers[0].start()

    final = wait_until(api, batch_id, lambda s: s["state"] == "complete", 300, "the batch to complete")
    assert (final["total"], final["done"], final["failed"]) == (N_ITEMS, N_ITEMS, 0)
    results = httpx.get(f"{api.url}/batches/{batch_id}/results", params={"limit": 100}, timeout=10).json()["items"]
    assert [r["student_id"] for r in results] == students
    assert len({r["grading_id"] for r in results}) == N_ITEMS

    s3 = boto3.client("s3", endpoint_url=aws["S3_ENDPOINT_URL"], region_name="us-east-1")
    keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=aws["S3_BUCKET"],
                                                                               Prefix="gradings/")
            for o in page.get("Contents", []) if o["Key"].count("/") == 1]
    graded = [orjson.loads(s3.get_object(Bucket=aws["S3_BUCKET"], Key=k)["Body"].read())["student_id"] for k in keys]
    assert sorted(graded) == students, "an item was graded twice or not at all"
    assert sorted(keys) == sorted(f"gradings/{r['grading_id']}.json" for r in results)
