"""Memory of a service as the operating system sees it: a process and its descendants (the
supervisor and its workers), read from ``/proc`` (Linux only). Benchmark helper, imported by
``bench_hostile.py`` and ``bench_scoring_memory.py``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Memory:
    processes: int
    rss_mib: float  # what ps shows: a page shared between the processes counts once in each
    pss_mib: float  # each shared page divided among the processes that map it: what they cost together
    private_mib: float

    def line(self, when: str) -> str:
        return (f"{when:10s} {self.processes} processes: RSS {self.rss_mib:6.0f} MiB, PSS {self.pss_mib:6.0f} MiB, "
                f"private {self.private_mib:6.0f} MiB")


def _rollup(pid: int) -> dict[str, int] | None:
    """A process's ``smaps_rollup`` fields in kB; None when it has gone."""
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]
    except (FileNotFoundError, ProcessLookupError):
        return None
    return {name: int(value.split()[0]) for name, value in (line.split(":", 1) for line in lines)}


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for task in Path(f"/proc/{pid}/task").iterdir()
                for child in (task / "children").read_text().split()]
    except (FileNotFoundError, ProcessLookupError):
        return []


def measure(pid: int) -> Memory:
    """``pid`` and its descendants together (a process that exits meanwhile is left out)."""
    processes = rss = pss = private = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        fields = _rollup(current)
        if fields is None:
            continue
        processes += 1
        rss += fields["Rss"]
        pss += fields["Pss"]
        private += fields["Private_Clean"] + fields["Private_Dirty"]
        pending += _children(current)
    return Memory(processes, rss / 1024, pss / 1024, private / 1024)
