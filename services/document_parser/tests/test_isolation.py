"""Upload workers are real processes with real limits: a file that needs too much memory or too
much time is a 413 naming the limit, the error of a file crosses back as it was, the service goes
on reading the next file, and a worker is replaced after its quota of files."""

from __future__ import annotations

import os
import time

import pytest

from document_parser.isolation import IsolatedParser
from document_parser.parsing.uploads import parse_upload
from medgrade_shared.errors import TooLarge, UnsupportedMedia


@pytest.fixture
def isolated():
    workers = IsolatedParser(workers=1, memory_mb=256, seconds=3.0, recycle_after=2)
    yield workers
    workers.close()


def test_a_file_that_needs_more_memory_than_allowed_is_413_and_the_next_one_reads(isolated):
    with pytest.raises(TooLarge) as refused:
        isolated.run(bytes, 2 * 1024**3)  # two GiB in a worker limited to 256 MiB
    assert refused.value.code == "parse_memory_limit"
    assert refused.value.details["limit_mib"] == 256

    parsed = isolated.run(parse_upload, b"[00:01] Student: When did it start?\n[00:04] Patient: At noon.\n")
    assert [u.role for u in parsed.utterances] == ["interviewer", "patient"]


def test_a_file_that_takes_too_long_is_413_and_its_worker_is_killed(isolated):
    started = time.monotonic()
    with pytest.raises(TooLarge) as refused:
        isolated.run(time.sleep, 60)
    assert refused.value.code == "parse_time_limit"
    assert time.monotonic() - started < 10
    assert isolated.run(os.getpid) != os.getpid()  # a fresh worker answers


def test_the_parser_s_own_refusal_crosses_back_whole(isolated):
    with pytest.raises(UnsupportedMedia) as refused:
        isolated.run(parse_upload, b"\x00\x01\x02 binary", "x.bin")
    assert refused.value.code == "unsupported_file_type" and refused.value.message


def test_a_worker_is_replaced_after_its_quota_of_files(isolated):
    pids = [isolated.run(os.getpid) for _ in range(4)]
    assert pids[0] == pids[1] and pids[2] == pids[3] and pids[0] != pids[2]
