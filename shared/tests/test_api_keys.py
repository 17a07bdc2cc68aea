"""The API key store on both backends: a local file and S3 (a real moto server on 127.0.0.1)."""

from __future__ import annotations

import json
import stat
import threading
import uuid
from pathlib import Path

import boto3
import pytest

from medgrade_shared.api_keys import (
    API_KEYS_KEY,
    ApiKeyStore,
    KeyFile,
    KeyStoreError,
    LocalKeyFile,
    S3KeyFile,
    hash_key,
    open_key_file,
)
from medgrade_shared.settings import StoreSettings
from medgrade_shared.store import StoreError


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["local", "s3"])
def key_file(request, tmp_path: Path) -> KeyFile:
    if request.param == "local":
        return open_key_file(StoreSettings(store_path=tmp_path / "store"))
    client = boto3.client("s3", endpoint_url=request.getfixturevalue("s3_endpoint"), region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    bucket = f"medgrade-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    return S3KeyFile(client, bucket, "tenant-a/" + API_KEYS_KEY, recheck_after_s=5.0)


def test_a_created_key_verifies_with_its_client_and_scopes(key_file):
    keys = ApiKeyStore(key_file)
    key = keys.create("lms", ["rubrics:read", "grade"])
    assert key.startswith("mgk_") and len(key) > 40
    client = keys.verify(key)
    assert client is not None and client.name == "lms" and client.scopes == {"grade", "rubrics:read"}
    assert keys.verify(key + "x") is None
    assert keys.verify("mgk_" + "a" * 43) is None
    assert keys.verify("") is None


def test_only_the_hash_is_stored(key_file):
    keys = ApiKeyStore(key_file)
    key = keys.create("lms", ["grade"])
    data, _ = key_file.read()
    assert key.encode() not in data
    (entry,) = json.loads(data)["keys"]
    assert entry == {"name": "lms", "sha256": hash_key(key), "scopes": ["grade"],
                     "created_at": entry["created_at"], "revoked": False}


def test_revoking_by_name_is_seen_by_another_reader_without_restart(key_file):
    clock = Clock()
    reader = ApiKeyStore(key_file, clock=clock)
    key = ApiKeyStore(key_file).create("lms", ["grade"])
    assert reader.verify(key) is not None
    revoked = ApiKeyStore(key_file).revoke(name="lms")
    assert [r.name for r in revoked] == ["lms"]
    clock.now += key_file.recheck_after_s
    assert reader.verify(key) is None
    assert [r.revoked for r in reader.list()] == [True]


def test_revoke_by_hash_prefix_leaves_the_clients_other_keys(key_file):
    keys = ApiKeyStore(key_file)
    old, new = keys.create("lms", ["grade"]), keys.create("lms", ["grade"])
    (revoked,) = keys.revoke(hash_prefix=hash_key(old)[:10])
    assert revoked.sha256 == hash_key(old)
    assert keys.verify(old) is None and keys.verify(new) is not None
    assert keys.revoke(name="nobody") == []


def test_ambiguous_or_malformed_selectors_are_refused(key_file):
    keys = ApiKeyStore(key_file)
    for _ in range(40):  # 40 keys: two of them share a first hex digit for sure
        keys.create("many", ["grade"])
    digits = [r.sha256[0] for r in keys.list()]
    shared = next(d for d in digits if digits.count(d) > 1)
    with pytest.raises(KeyStoreError, match="8 to 64"):
        keys.revoke(hash_prefix=shared)
    with pytest.raises(KeyStoreError):
        keys.revoke(name="many", hash_prefix="0" * 8)
    with pytest.raises(KeyStoreError):
        keys.revoke()


def test_names_and_scopes_are_validated(key_file):
    keys = ApiKeyStore(key_file)
    for name in ("bad name", "lms\n", "", "-lms", "x" * 65):
        with pytest.raises(KeyStoreError):
            keys.create(name, ["grade"])
    with pytest.raises(KeyStoreError):
        keys.create("lms", ["admin"])
    with pytest.raises(KeyStoreError):
        keys.create("lms", [])
    assert keys.list() == []


def test_concurrent_creators_lose_no_key(key_file):
    barrier = threading.Barrier(6)
    created: list[str] = []
    failures: list[Exception] = []

    def create(i: int) -> None:
        store = ApiKeyStore(key_file)
        barrier.wait()
        try:
            created.append(store.create(f"client-{i}", ["grade"]))
        except Exception as exc:  # reported below, not lost in the thread
            failures.append(exc)

    threads = [threading.Thread(target=create, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    keys = ApiKeyStore(key_file)
    assert sorted(r.name for r in keys.list()) == [f"client-{i}" for i in range(6)]
    assert all(keys.verify(key) for key in created)


def test_a_stale_version_is_not_written(key_file):
    ApiKeyStore(key_file).create("first", ["grade"])
    _, version = key_file.read()
    ApiKeyStore(key_file).create("second", ["grade"])
    assert key_file.replace(b'{"format": 1, "keys": []}', version) is False
    assert key_file.replace(b'{"format": 1, "keys": []}', None) is False


def test_s3_readers_trust_their_copy_for_the_recheck_interval(tmp_path, s3_endpoint):
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    bucket = f"medgrade-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    key_file = S3KeyFile(client, bucket, API_KEYS_KEY, recheck_after_s=5.0)
    clock = Clock()
    reader = ApiKeyStore(key_file, clock=clock)
    key = ApiKeyStore(key_file).create("lms", ["grade"])
    assert reader.verify(key) is not None
    ApiKeyStore(key_file).revoke(name="lms")
    clock.now = 4.0
    assert reader.verify(key) is not None
    clock.now = 5.0
    assert reader.verify(key) is None


def test_local_key_file_is_private_and_a_corrupt_one_fails_closed(tmp_path):
    key_file = LocalKeyFile(tmp_path / API_KEYS_KEY)
    keys = ApiKeyStore(key_file)
    key = keys.create("lms", ["grade"])
    assert stat.S_IMODE(key_file.path.stat().st_mode) == 0o600
    key_file.path.write_text("{not json")
    with pytest.raises(StoreError):
        keys.verify(key)
