"""Uploaded files are parsed in worker processes of their own, with a memory limit and a time
limit, and each worker is replaced after a number of files.

The budgets of :mod:`document_parser.parsing.limits` refuse a zip bomb or a 5,000-page PDF before
it costs much; this is the second line, for whatever gets past them: a worker that would need more
than ``memory_mb`` of address space fails (413 ``parse_memory_limit``), one that takes longer than
``seconds`` (or than the caller's deadline allows) is killed (413 ``parse_time_limit``), and memory a
worker took is given back to the system when it is replaced (after ``recycle_after`` files, or at
once after a failure) instead of staying with the service. Workers are started with ``spawn``: no
copy of the serving process's threads.
"""

from __future__ import annotations

import multiprocessing
import resource
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from medgrade_shared.deadline import remaining
from medgrade_shared.errors import TooLarge

T = TypeVar("T")


def _limit_memory(memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


class IsolatedParser:
    def __init__(self, workers: int, memory_mb: int, seconds: float, recycle_after: int) -> None:
        self.workers, self.memory_mb, self.seconds, self.recycle_after = workers, memory_mb, seconds, recycle_after
        self._lock = threading.Lock()
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   max_tasks_per_child=self.recycle_after, initializer=_limit_memory,
                                   initargs=(self.memory_mb * 1024 * 1024,))

    def run(self, parse: Callable[..., T], *args: object) -> T:
        """``parse(*args)`` in a worker (a module-level function and picklable arguments)."""
        left = remaining()
        timeout = self.seconds if left is None else max(0.0, min(self.seconds, left))
        with self._lock:
            future = self._pool.submit(parse, *args)
        try:
            return future.result(timeout=timeout)
        except FutureTimeout:
            self._replace(future.running())
            raise TooLarge("parse_time_limit", f"The file took longer than {timeout:.0f} s to read, the most "
                           "the parser spends on one file; send a shorter transcript.",
                           {"limit_s": round(timeout, 1), "setting": "MEDGRADE_PARSER_UPLOAD_SECONDS"}) from None
        except (MemoryError, BrokenProcessPool):
            self._replace(True)
            raise TooLarge("parse_memory_limit", f"Reading the file needs more than {self.memory_mb} MiB, "
                           "the most the parser gives one file; send a smaller transcript.",
                           {"limit_mib": self.memory_mb, "setting": "MEDGRADE_PARSER_UPLOAD_MEMORY_MB"}) from None

    def _replace(self, kill: bool) -> None:
        """A new pool; the old one's workers killed (a stuck or broken one frees nothing otherwise)."""
        with self._lock:
            old, self._pool = self._pool, self._new_pool()
        if kill:
            for process in list((old._processes or {}).values()):
                process.kill()
        old.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
