"""The ``BatchQueue`` contract, the same tests on both backends: the embedded queue and SQS
on a real moto server on 127.0.0.1 (``medgrade_shared.testing.moto_server``)."""

from __future__ import annotations

import asyncio
import time
import uuid

import boto3
import pytest

from grading_orchestrator.batch_queue import BatchQueue, EmbeddedQueue
from grading_orchestrator.batch_queue_sqs import SqsQueue, create_queues

pytest_plugins = ["medgrade_shared.testing.moto_server"]

VISIBILITY_S = 2
MAX_RECEIVES = 2


@pytest.fixture(params=["embedded", "sqs"])
def queue(request, monkeypatch) -> BatchQueue:
    if request.param == "embedded":
        return EmbeddedQueue(VISIBILITY_S, MAX_RECEIVES)
    endpoint = request.getfixturevalue("s3_endpoint")  # the moto server answers every AWS service
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1")
    url, dead = create_queues(client, f"batches-{uuid.uuid4().hex[:8]}", VISIBILITY_S, MAX_RECEIVES)
    return SqsQueue(url, dead, VISIBILITY_S, client=client)


def run(coroutine):
    return asyncio.run(coroutine)


def test_a_message_sent_is_received_once_and_gone_when_acknowledged(queue):
    async def scenario():
        await queue.send({"batch_id": "b", "index": 0})
        [message] = await queue.receive(5, 1)
        assert message.body == {"batch_id": "b", "index": 0} and message.receive_count == 1
        assert await queue.receive(5, 0) == []  # hidden while it is being worked on
        await queue.ack(message)
        await asyncio.sleep(VISIBILITY_S + 0.5)
        assert await queue.receive(5, 0) == []
    run(scenario())


def test_a_message_not_acknowledged_comes_back_after_the_visibility_timeout(queue):
    async def scenario():
        await queue.send({"index": 1})
        [first] = await queue.receive(1, 1)
        started = time.monotonic()
        [again] = await queue.receive(1, VISIBILITY_S + 3)
        assert again.body == first.body and again.receive_count == 2
        assert time.monotonic() - started >= VISIBILITY_S - 0.5
    run(scenario())


def test_a_released_message_is_visible_at_once_and_goes_to_the_dead_letters_after_max_receives(queue):
    async def scenario():
        await queue.send({"index": 2})
        for count in range(1, MAX_RECEIVES + 1):
            [message] = await queue.receive(1, 1)
            assert message.receive_count == count
            await queue.release(message)
        assert await queue.receive(1, 1) == []
        assert await queue.dead_letters() == [{"index": 2}]
    run(scenario())
