"""The S3 backend of the object store (production). Immutability comes from conditional
writes: ``put_object(IfNoneMatch="*")`` fails with 412 when the key already exists, so two
writers can never overwrite each other's version."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from medgrade_shared.settings import StoreSettings
from medgrade_shared.store import StoreError, validate_key

_CONFLICT_CODES = {"PreconditionFailed", "ConditionalRequestConflict", "412", "409"}


class S3Store:
    def __init__(self, bucket: str, prefix: str = "", client: Any | None = None, **client_args: Any) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client or boto3.client(
            "s3", config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=2, read_timeout=10),
            **client_args,
        )

    @classmethod
    def from_settings(cls, settings: StoreSettings) -> S3Store:
        if not settings.s3_bucket:
            raise StoreError("store_backend is s3 but s3_bucket is not set")
        return cls(settings.s3_bucket, settings.s3_prefix, endpoint_url=settings.s3_endpoint_url,
                   region_name=settings.s3_region)

    def _key(self, key: str) -> str:
        validate_key(key)
        return self.prefix + key

    def get(self, key: str) -> bytes | None:
        try:
            body: bytes = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
            return body
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NoSuchKey", "404"):
                return None
            raise StoreError(f"S3 get failed: {exc.response['Error']['Code']}") from exc
        except BotoCoreError as exc:
            raise StoreError(f"S3 is unreachable: {type(exc).__name__}") from exc

    def put_new(self, key: str, data: bytes) -> bool:
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, IfNoneMatch="*",
                                   ContentType="application/json")
        except ClientError as exc:
            if exc.response["Error"]["Code"] in _CONFLICT_CODES:
                return False
            raise StoreError(f"S3 put failed: {exc.response['Error']['Code']}") from exc
        except BotoCoreError as exc:
            raise StoreError(f"S3 is unreachable: {type(exc).__name__}") from exc
        return True

    def list_keys(self, prefix: str) -> list[str]:
        full_prefix = self.prefix + (prefix.strip("/") + "/" if prefix.strip("/") else "")
        keys: list[str] = []
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=full_prefix):
                keys.extend(item["Key"][len(self.prefix):] for item in page.get("Contents", ()))
        except (ClientError, BotoCoreError) as exc:
            raise StoreError(f"S3 list failed: {type(exc).__name__}") from exc
        return sorted(keys)

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except (ClientError, BotoCoreError) as exc:
            raise StoreError(f"S3 delete failed: {type(exc).__name__}") from exc

    def check(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (ClientError, BotoCoreError) as exc:
            raise StoreError(f"S3 bucket {self.bucket!r} is not reachable: {type(exc).__name__}") from exc
