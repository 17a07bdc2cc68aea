import os

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
