"""One contract, both backends: the local folder and S3 (a real moto server on 127.0.0.1)."""

from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path

import boto3
import pytest

from medgrade_shared.s3_store import S3Store
from medgrade_shared.store import LocalStore, ObjectStore, StoreError


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path: Path) -> ObjectStore:
    if request.param == "local":
        return LocalStore(tmp_path / "store")
    endpoint = request.getfixturevalue("s3_endpoint")
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    bucket = f"medgrade-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    return S3Store(bucket, prefix="tenant-a", client=client)


def test_put_new_then_get(store):
    assert store.put_new("rubrics/stroke_v1/1.0.0.json", b'{"a": 1}') is True
    assert store.get("rubrics/stroke_v1/1.0.0.json") == b'{"a": 1}'
    assert store.get("rubrics/stroke_v1/9.9.9.json") is None


def test_put_new_never_overwrites(store):
    assert store.put_new("gradings/x.json", b"first") is True
    assert store.put_new("gradings/x.json", b"second") is False
    assert store.get("gradings/x.json") == b"first"


def test_delete_removes_one_object_and_ignores_a_missing_one(store):
    store.put_new("rubrics/a/1.0.0.json", b"a")
    store.put_new("rubrics/a/1.1.0.json", b"b")
    store.delete("rubrics/a/1.0.0.json")
    store.delete("rubrics/a/9.9.9.json")
    assert store.list_keys("rubrics") == ["rubrics/a/1.1.0.json"]
    with pytest.raises(ValueError):
        store.delete("../escape.json")


def test_list_keys_by_prefix(store):
    for key in ("rubrics/a/1.0.0.json", "rubrics/a/1.1.0.json", "rubrics/b/1.0.0.json", "gradings/g.json"):
        store.put_new(key, b"{}")
    assert store.list_keys("rubrics/a") == ["rubrics/a/1.0.0.json", "rubrics/a/1.1.0.json"]
    assert len(store.list_keys("rubrics")) == 3
    assert store.list_keys("nothing") == []


def test_concurrent_writers_of_one_key_have_exactly_one_winner(store):
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def write(i: int) -> None:
        barrier.wait()
        results.append(store.put_new("rubrics/race/1.0.1.json", f"writer {i}".encode()))

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    assert store.get("rubrics/race/1.0.1.json").startswith(b"writer ")


@pytest.mark.parametrize(
    "key", ["../escape.json", "rubrics/../../x", "/abs/path", "a//b", "a/./b", "a\x00b", "", "a/b c", "a/b\n"])
def test_unsafe_keys_are_refused(store, key):
    with pytest.raises(ValueError):
        store.put_new(key, b"x")


def test_check_passes_on_a_usable_store(store):
    store.check()


def test_local_store_never_writes_outside_its_folder(tmp_path):
    root = tmp_path / "store"
    local = LocalStore(root)
    for key in ("../outside.json", "x/../../outside.json"):
        with pytest.raises(ValueError):
            local.put_new(key, b"x")
    assert [name for _, _, files in os.walk(tmp_path) for name in files] == []


def test_unreachable_s3_is_a_store_error():
    client = boto3.client("s3", endpoint_url="http://127.0.0.1:9", region_name="us-east-1",
                          aws_access_key_id="t", aws_secret_access_key="t",
                          config=boto3.session.Config(retries={"max_attempts": 1}, connect_timeout=0.5))
    with pytest.raises(StoreError):
        S3Store("bucket", client=client).check()
