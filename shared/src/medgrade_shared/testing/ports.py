"""Ports free just now on 127.0.0.1: one for a server a test starts, or a port base at which
every part of a suite could listen (tests that start a suite)."""

from __future__ import annotations

import random
import socket

from medgrade_shared.registry import PARTS


def bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port the system just gave out (bound and released at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def free_port_base(low: int, high: int, tries: int = 200) -> int:
    """A base in [low, high) whose every port (:data:`medgrade_shared.registry.PARTS`) is free."""
    for base in random.sample(range(low, high, 10), min(tries, len(range(low, high, 10)))):
        if all(bindable(part.port(base)) for part in PARTS):
            return base
    raise AssertionError(f"no free port base between {low} and {high}")
