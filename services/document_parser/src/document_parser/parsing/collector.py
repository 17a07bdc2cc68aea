"""The cyclic garbage collector paused while a transcript is parsed.

A long transcript makes tens of thousands of utterance objects, and the collector's passes
over them took a quarter of the parse time; parsing makes no reference cycles, so pausing it
frees nothing later than reference counting does. Parses run in parallel threads, so the
pause is counted: the collector restarts (if it was running) when the last parse ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_active = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    global _active, _was_enabled
    with _lock:
        if _active == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _was_enabled:
                gc.enable()
