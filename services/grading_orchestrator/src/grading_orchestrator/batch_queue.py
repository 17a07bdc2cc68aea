"""Where batch items wait for a worker: the ``BatchQueue`` contract and its embedded backend.

The contract is SQS's, so both backends behave alike (``tests/test_batch_queue.py`` runs the
same tests on both): a received message is hidden for the visibility timeout and comes back
unless it is acknowledged; ``release`` makes it visible again at once; a message received
``max_receives`` times and still not acknowledged goes to the dead letters at its next
receive. Delivery is at least once, so the worker makes every item idempotent (a claim and a
write-once grading in the store: :mod:`grading_orchestrator.batch_store`).

The embedded backend keeps the messages in memory: nothing to install, one replica. What is
lost when the process stops is rebuilt from the store at start-up (every item of an open
batch without an outcome is sent again). SQS (:mod:`grading_orchestrator.batch_queue_sqs`)
is shared by every replica and keeps its messages itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from dataclasses import dataclass
from typing import Any, Protocol

from grading_orchestrator.core.config import OrchestratorSettings


@dataclass(frozen=True, slots=True)
class QueueMessage:
    body: dict[str, Any]
    receipt: str
    receive_count: int


class BatchQueue(Protocol):
    durable: bool
    """True when the messages outlive this process (SQS): start-up then sends again only the
    items of a batch whose submission was cut short, not every unfinished item."""

    async def send(self, body: dict[str, Any]) -> None: ...

    async def receive(self, max_messages: int, wait_s: float) -> list[QueueMessage]:
        """Up to ``max_messages`` visible messages, waiting at most ``wait_s`` for the first."""
        ...

    async def ack(self, message: QueueMessage) -> None:
        """Done with it: never delivered again."""
        ...

    async def release(self, message: QueueMessage) -> None:
        """Not done: visible again at once (it counts as one more receive)."""
        ...

    async def dead_letters(self) -> list[dict[str, Any]]:
        """The bodies of the messages given up on (an operator's view; the SQS DLQ's are read
        without being removed)."""
        ...

    async def close(self) -> None: ...


@dataclass(slots=True)
class _Held:
    body: dict[str, Any]
    visible_at: float = 0.0
    receives: int = 0
    receipt: str = ""


class EmbeddedQueue:
    durable = False

    def __init__(self, visibility_timeout_s: float, max_receives: int) -> None:
        self.visibility_timeout_s = visibility_timeout_s
        self.max_receives = max_receives
        self._messages: dict[int, _Held] = {}
        self._dead: list[dict[str, Any]] = []
        self._ids = itertools.count()
        self._arrived = asyncio.Event()

    async def send(self, body: dict[str, Any]) -> None:
        number = next(self._ids)
        self._messages[number] = _Held(body)
        self._arrived.set()

    def _take(self, max_messages: int) -> list[QueueMessage]:
        now = time.monotonic()
        taken: list[QueueMessage] = []
        for number, held in list(self._messages.items()):
            if len(taken) == max_messages:
                break
            if held.visible_at > now:
                continue
            if held.receives >= self.max_receives:
                self._dead.append(self._messages.pop(number).body)
                continue
            held.receives += 1
            held.visible_at = now + self.visibility_timeout_s
            held.receipt = f"{number}:{held.receives}"
            taken.append(QueueMessage(held.body, held.receipt, held.receives))
        return taken

    async def receive(self, max_messages: int, wait_s: float) -> list[QueueMessage]:
        deadline = time.monotonic() + wait_s
        while True:
            self._arrived.clear()
            taken = self._take(max_messages)
            left = deadline - time.monotonic()
            if taken or left <= 0:
                return taken
            hidden = [h.visible_at for h in self._messages.values() if h.visible_at > time.monotonic()]
            timeout = min([left, *(t - time.monotonic() for t in hidden)])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), timeout=max(timeout, 0.001))

    def _held(self, message: QueueMessage) -> tuple[int, _Held] | None:
        number = int(message.receipt.split(":", 1)[0])
        held = self._messages.get(number)
        return (number, held) if held is not None and held.receipt == message.receipt else None

    async def ack(self, message: QueueMessage) -> None:
        if found := self._held(message):
            del self._messages[found[0]]

    async def release(self, message: QueueMessage) -> None:
        if found := self._held(message):
            found[1].visible_at = 0.0
            self._arrived.set()

    async def dead_letters(self) -> list[dict[str, Any]]:
        return list(self._dead)

    async def close(self) -> None:
        self._messages.clear()


def open_queue(settings: OrchestratorSettings) -> BatchQueue:
    if settings.batch_queue_backend == "sqs":
        from grading_orchestrator.batch_queue_sqs import SqsQueue  # boto3 only when SQS is used

        return SqsQueue.from_settings(settings)
    return EmbeddedQueue(settings.batch_visibility_timeout_s, settings.batch_max_receives)
