"""Batches: submission, the workers that grade their items, and resuming them after a restart.

Design notes:

- Every item goes through :meth:`GradingPipeline.grade`, the function behind ``POST /grade``
  (same rubric, parse, scoring and stored document). ``batch_concurrency`` workers take items
  from the :class:`~grading_orchestrator.batch_queue.BatchQueue`, so a batch never has more
  gradings in flight than that and interactive ``/grade`` calls keep the rest of the suite.
- An item is idempotent: before grading, its claim (the grading id it is graded under) is
  written once to the store; a grading is stored at most once per id (write-once objects).
  A worker killed mid-item leaves a claim without an outcome; the next try grades under the
  same id and finds the grading already stored if it got that far. No item is graded twice.
- A transient failure (503, 504: a service or the store unavailable, the deadline) is retried
  ``batch_item_attempts`` times with backoff, then recorded as the item's outcome with its
  reason, like any other failure; the batch goes on.
- At start-up the items without an outcome of an unfinished batch are queued again: every
  such batch with the embedded queue (its messages died with the process), only a batch whose
  submission was cut short before all its items were sent with SQS (its messages outlive any
  replica; an item whose worker died comes back after the visibility timeout). An item sent
  twice is harmless: its outcome or claim makes the second delivery a no-op or a retry under
  the same grading id.
- A message that cannot be processed (the store unreachable, say) goes back to the queue; on
  its last allowed receive the item is recorded as failed with the reason, if the store takes
  it, so that the batch still completes (the message itself goes to the dead letters).
- Role ``api`` runs no worker (``concurrency`` 0): it queues, replicas of role ``worker`` grade.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson

from grading_orchestrator.batch_intake import ItemInput
from grading_orchestrator.batch_queue import BatchQueue, QueueMessage
from grading_orchestrator.batch_store import BatchStore
from grading_orchestrator.pipeline import GradingPipeline, Target
from medgrade_shared.errors import Conflict, DeadlineExceeded, DomainError, Unavailable
from medgrade_shared.models.grading import GradeRequest, Submission
from medgrade_shared.models.rubric import SubmissionKind
from medgrade_shared.store import StoreError

log = logging.getLogger(__name__)

TRANSIENT = (Unavailable, DeadlineExceeded)  # worth another attempt: the same input may grade later
_RECEIVE_WAIT_S = 5.0  # short, so a stopping worker is not held by a long poll


def submission_kind(manifest: dict[str, Any], index: int) -> SubmissionKind:
    """What item ``index`` is (an interview in a manifest written before submissions had kinds)."""
    return manifest["items"][index].get("submission_kind", "interview")


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


class BatchRunner:
    def __init__(self, store: BatchStore, queue: BatchQueue, pipeline: GradingPipeline, *, concurrency: int,
                 attempts: int, backoff_s: float, max_receives: int) -> None:
        self.store = store
        self.queue = queue
        self.pipeline = pipeline
        self.concurrency = concurrency
        self.attempts = attempts
        self.backoff_s = backoff_s
        self.max_receives = max_receives
        self._workers: list[asyncio.Task[None]] = []

    async def submit(self, rubric_id: str, rubric_version: str | None, kind: SubmissionKind, items: list[ItemInput],
                     client: str, idempotency_key: str | None) -> str:
        """Store a batch and queue its items; its id. A client's ``Idempotency-Key`` used before
        names the batch it made, which is returned as it is (409 if the items differ)."""
        pinned = await self.pipeline.rubric_version(rubric_id, rubric_version)
        fingerprint = orjson.dumps([rubric_id, rubric_version, kind,
                                    [(i.student_id, i.sha256, i.kind) for i in items]])
        batch_id = uuid.uuid4().hex
        if idempotency_key is not None:
            batch_id = await self.store.batch_for_key(client, idempotency_key, batch_id)
            existing = await self.store.manifest(batch_id)
            if existing is not None:
                if existing["fingerprint"] != fingerprint.decode():
                    raise Conflict("idempotency_key_reused", "This Idempotency-Key was used for another "
                                   "batch; use a new key for new items.", {"batch_id": batch_id})
                return batch_id
        for index, item in enumerate(items):
            await self.store.save_input(batch_id, index, item.stored)
        manifest = {"batch_id": batch_id, "rubric_id": rubric_id, "rubric_version": pinned, "client": client,
                    "created_at": now_iso(), "fingerprint": fingerprint.decode(),
                    "kind": kind,
                    "items": [{"student_id": i.student_id, "sha256": i.sha256, "kind": i.stored["kind"],
                               "submission_kind": i.kind or kind} for i in items]}
        await self.store.save_manifest(batch_id, manifest)
        for index in range(len(items)):
            await self.queue.send({"batch_id": batch_id, "index": index})
        await self.store.mark_queued(batch_id)
        return batch_id

    async def start(self) -> None:
        """Queue what open batches still need, then start the workers."""
        try:
            for batch_id, queued in (await self.store.open_batches()).items():
                if queued and self.queue.durable:
                    continue
                manifest = await self.store.manifest(batch_id)
                if manifest is None:
                    continue
                outcomes = await self.store.outcomes(batch_id)
                missing = [i for i in range(len(manifest["items"])) if i not in outcomes]
                for index in missing:
                    await self.queue.send({"batch_id": batch_id, "index": index})
                if missing:
                    log.info("batch resumed", extra={"batch_id": batch_id, "items": len(missing)})
        except StoreError as exc:
            log.error("open batches could not be read: %s", exc)
        self._workers = [asyncio.create_task(self._work()) for _ in range(self.concurrency)]

    async def stop(self) -> None:
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        await self.queue.close()

    async def _work(self) -> None:
        while True:
            try:
                messages = await self.queue.receive(1, _RECEIVE_WAIT_S)
            except Exception:  # the queue unreachable: wait and ask again
                log.exception("batch queue receive failed")
                await asyncio.sleep(_RECEIVE_WAIT_S)
                continue
            for message in messages:
                await self._handle(message)

    async def _handle(self, message: QueueMessage) -> None:
        try:
            await self.process(message.body["batch_id"], int(message.body["index"]))
        except (StoreError, OSError, KeyError, ValueError) as exc:  # the store, or a message naming nothing
            log.error("batch item not processed (receive %d of %d): %s", message.receive_count, self.max_receives,
                      exc)
            if message.receive_count >= self.max_receives:
                await self._give_up(message)
            await self.queue.release(message)
            await asyncio.sleep(self.backoff_s)
            return
        await self.queue.ack(message)

    async def _give_up(self, message: QueueMessage) -> None:
        """Record the item as failed so its batch completes; best effort (the store may be why)."""
        try:
            batch_id, index = message.body["batch_id"], int(message.body["index"])
            manifest = await self.store.manifest(batch_id)
            if manifest is None or await self.store.outcome(batch_id, index) is not None:
                return
            finished = now_iso()
            await self.store.save_outcome(batch_id, index, {
                "index": index, "student_id": manifest["items"][index]["student_id"], "grading_id": None,
                "reused": False, "status": "failed", "attempts": message.receive_count, "finished_at": finished,
                "error": {"code": "batch_item_unprocessable",
                          "message": f"This transcript could not be graded after {message.receive_count} tries "
                                     "because the grading service could not read or write its state; submit "
                                     "it again in a new batch."}})
            if len(await self.store.outcomes(batch_id)) == len(manifest["items"]):
                await self.store.mark_complete(batch_id, finished)
        except (StoreError, OSError, KeyError, ValueError, IndexError) as again:
            log.error("batch item given up on without an outcome (in the dead letters): %s", again)

    async def process(self, batch_id: str, index: int) -> None:
        """Grade item ``index`` of a batch unless it has an outcome; record its outcome."""
        if await self.store.outcome(batch_id, index) is not None:
            return
        manifest = await self.store.manifest(batch_id)
        if manifest is None:
            raise KeyError(f"no batch {batch_id}")
        item = manifest["items"][index]
        key = (item["student_id"], item["sha256"], manifest["rubric_id"], manifest["rubric_version"],
               submission_kind(manifest, index))
        earlier = await self.store.earlier_grading(*key)
        claim = await self.store.claim(batch_id, index, {
            "grading_id": earlier or uuid.uuid4().hex, "reused": earlier is not None, "claimed_at": now_iso()})
        outcome: dict[str, Any] = {"index": index, "student_id": item["student_id"],
                                   "grading_id": claim["grading_id"], "reused": claim["reused"],
                                   "started_at": claim["claimed_at"]}
        document: bytes | None = None
        if claim["reused"]:
            document = await self.pipeline.results.load(claim["grading_id"])
            outcome["attempts"] = 0
        if document is None:
            outcome["reused"] = False
            document, failure, outcome["attempts"] = await self._grade(manifest, index, claim["grading_id"])
            if failure is not None:
                outcome.update(status="failed", grading_id=None,
                               error={"code": failure.code, "message": failure.message})
        if document is not None:
            result = orjson.loads(document)
            outcome.update(status="done", overall=result["overall"], components=result["components"],
                           needs_review=result["needs_review"], warnings=[w["code"] for w in result["warnings"]])
            if not outcome["reused"]:
                await self.store.remember_grading(*key, claim["grading_id"])
        outcome["finished_at"] = now_iso()
        await self.store.save_outcome(batch_id, index, outcome)
        if len(await self.store.outcomes(batch_id)) == len(manifest["items"]):
            await self.store.mark_complete(batch_id, outcome["finished_at"])

    async def _grade(self, manifest: dict[str, Any], index: int,
                     grading_id: str) -> tuple[bytes | None, DomainError | None, int]:
        """(document, None, attempts) or (None, the last error, attempts)."""
        stored = await self.store.item_input(manifest["batch_id"], index)
        if stored is None:
            raise KeyError(f"no input for item {index} of batch {manifest['batch_id']}")
        student, kind = manifest["items"][index]["student_id"], submission_kind(manifest, index)
        for attempt in range(1, self.attempts + 1):
            try:
                return await self._grade_once(manifest, student, kind, stored, grading_id), None, attempt
            except DomainError as exc:
                if not isinstance(exc, TRANSIENT) or attempt == self.attempts:
                    return None, exc, attempt
                await asyncio.sleep(self.backoff_s * 2 ** (attempt - 1))
        raise AssertionError("unreachable: the last attempt returns")

    async def _grade_once(self, manifest: dict[str, Any], student: str, kind: SubmissionKind,
                          stored: dict[str, Any], grading_id: str) -> bytes:
        rubric_id, version = manifest["rubric_id"], manifest["rubric_version"]
        if stored["kind"] == "text":
            request = GradeRequest(rubric_id=rubric_id, rubric_version=version, student_id=student, kind=kind,
                                   submission=Submission(oral_transcript=stored["text"], format=stored["format"]))
            return await self.pipeline.grade(request, grading_id=grading_id, batch_id=manifest["batch_id"])
        content = base64.b64decode(stored["content_b64"])

        async def parse() -> bytes:
            return await self.pipeline.parser.upload(content, stored["filename"], stored["content_type"], "auto",
                                                     None)

        return await self.pipeline.grade(Target(rubric_id, version, student, kind), parse=parse,
                                         grading_id=grading_id, batch_id=manifest["batch_id"])
