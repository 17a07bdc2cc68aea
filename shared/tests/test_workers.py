import os
import subprocess
import sys

from medgrade_shared import workers
from medgrade_shared.workers import available_cpus, resolve_workers


def test_a_cgroup_quota_caps_the_cpus(tmp_path):
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("150000 100000\n")  # 1.5 CPUs: two processes can use them
    assert available_cpus(cpu_max) == min(2, len(os.sched_getaffinity(0)))
    cpu_max.write_text("50000 100000\n")  # half a CPU: still one worker
    assert available_cpus(cpu_max) == 1


def test_without_a_quota_the_affinity_counts(tmp_path):
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("max 100000\n")
    assert available_cpus(cpu_max) == len(os.sched_getaffinity(0))
    assert available_cpus(tmp_path / "missing") == len(os.sched_getaffinity(0))


def test_zero_workers_means_one_per_cpu():
    assert resolve_workers(0) == available_cpus()
    assert resolve_workers(3) == 3


def test_several_workers_are_ready_only_when_every_live_one_has_marked_itself(tmp_path, monkeypatch):
    monkeypatch.setenv(workers.MULTIPROC_ENV, str(tmp_path))
    monkeypatch.setenv(workers.WORKER_COUNT_ENV, "2")
    assert not workers.all_workers_ready()
    workers.mark_ready()  # this process: one of two
    assert not workers.all_workers_ready()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    (tmp_path / f"ready-{int(dead.stdout)}").touch()  # a worker that marked itself, then died
    assert not workers.all_workers_ready()
    sibling = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (tmp_path / f"ready-{sibling.pid}").touch()
        assert workers.all_workers_ready()
    finally:
        sibling.kill()
        sibling.wait()
    assert not workers.all_workers_ready()


def test_one_process_is_ready_by_itself(monkeypatch):
    monkeypatch.delenv(workers.MULTIPROC_ENV, raising=False)
    monkeypatch.delenv(workers.WORKER_COUNT_ENV, raising=False)
    assert workers.all_workers_ready()
