"""The SQS backend of the ``BatchQueue`` (production: every replica shares the work).

The queue's own attributes carry the contract: ``VisibilityTimeout`` (longer than a grading's
deadline times its attempts: the setting is checked) and a ``RedrivePolicy`` moving a message
to the dead-letter queue after ``maxReceiveCount`` receives (Terraform makes both; tests make
them on a moto server with :func:`create_queues`). boto3 is synchronous: each call runs in a
thread.
"""

from __future__ import annotations

import asyncio
from typing import Any

import boto3
import orjson
from botocore.config import Config

from grading_orchestrator.batch_queue import QueueMessage
from grading_orchestrator.core.config import OrchestratorSettings

_MAX_BATCH = 10  # SQS returns at most 10 messages per receive
_MAX_WAIT_S = 20  # and long-polls at most 20 s


class SqsQueue:
    durable = True

    def __init__(self, queue_url: str, dead_letter_url: str | None, visibility_timeout_s: int,
                 client: Any | None = None, **client_args: Any) -> None:
        self.queue_url = queue_url
        self.dead_letter_url = dead_letter_url
        self.visibility_timeout_s = visibility_timeout_s
        self.client = client or boto3.client(
            "sqs", config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=2,
                                 read_timeout=_MAX_WAIT_S + 5), **client_args)

    @classmethod
    def from_settings(cls, settings: OrchestratorSettings) -> SqsQueue:
        assert settings.batch_queue_url is not None  # the settings refuse sqs without it
        return cls(settings.batch_queue_url, settings.batch_dead_letter_queue_url,
                   settings.batch_visibility_timeout_s, endpoint_url=settings.sqs_endpoint_url,
                   region_name=settings.sqs_region)

    async def send(self, body: dict[str, Any]) -> None:
        await asyncio.to_thread(self.client.send_message, QueueUrl=self.queue_url,
                                MessageBody=orjson.dumps(body).decode())

    async def receive(self, max_messages: int, wait_s: float) -> list[QueueMessage]:
        answer = await asyncio.to_thread(
            self.client.receive_message, QueueUrl=self.queue_url, MaxNumberOfMessages=min(max_messages, _MAX_BATCH),
            WaitTimeSeconds=min(int(wait_s), _MAX_WAIT_S), VisibilityTimeout=self.visibility_timeout_s,
            MessageSystemAttributeNames=["ApproximateReceiveCount"])
        return [QueueMessage(orjson.loads(m["Body"]), m["ReceiptHandle"],
                             int(m.get("Attributes", {}).get("ApproximateReceiveCount", 1)))
                for m in answer.get("Messages", [])]

    async def ack(self, message: QueueMessage) -> None:
        await asyncio.to_thread(self.client.delete_message, QueueUrl=self.queue_url,
                                ReceiptHandle=message.receipt)

    async def release(self, message: QueueMessage) -> None:
        await asyncio.to_thread(self.client.change_message_visibility, QueueUrl=self.queue_url,
                                ReceiptHandle=message.receipt, VisibilityTimeout=0)

    async def dead_letters(self) -> list[dict[str, Any]]:
        if not self.dead_letter_url:
            return []
        answer = await asyncio.to_thread(self.client.receive_message, QueueUrl=self.dead_letter_url,
                                         MaxNumberOfMessages=_MAX_BATCH, VisibilityTimeout=0, WaitTimeSeconds=1)
        return [orjson.loads(m["Body"]) for m in answer.get("Messages", [])]

    async def close(self) -> None:
        self.client.close()


def create_queues(client: Any, name: str, visibility_timeout_s: int, max_receives: int) -> tuple[str, str]:
    """Make a queue and its dead-letter queue as Terraform does; their URLs."""
    dead_url = client.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dead_arn = client.get_queue_attributes(QueueUrl=dead_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = orjson.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": str(max_receives)}).decode()
    url = client.create_queue(QueueName=name, Attributes={"VisibilityTimeout": str(visibility_timeout_s),
                                                          "RedrivePolicy": redrive})["QueueUrl"]
    return url, dead_url
