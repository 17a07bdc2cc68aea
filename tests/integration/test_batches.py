"""Batches through the nginx gateway against the real services: a cohort submitted as a ZIP is
graded, its CSV opens as it is, and an orchestrator killed twice during a 57-item batch
(SIGKILL) resumes it each time it starts again, with every item graded exactly once (the same
on S3 and SQS with separate worker processes: test_batches_scale_out.py)."""

from __future__ import annotations

import csv
import io
import time
import zipfile

import orjson
import pytest

from .conftest import sample

N_ITEMS = 57


def cohort_zip(n: int, tag: str) -> bytes:
    """The stroke sample, made distinct per student; member paths that must never be used."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(n):
            text = sample("stroke_interview.txt") + f"\n[09:59] Patient: Thank you ({tag} {i})."
            archive.writestr(f"../cohort/{tag}-s{i:03d}.txt", text)
    return out.getvalue()


def status(gateway, key: str, batch_id: str) -> dict:
    response = gateway.get(f"/batches/{batch_id}", headers={"X-API-Key": key})
    assert response.status_code == 200, response.text
    return response.json()


def wait_until(gateway, key: str, batch_id: str, done, timeout_s: float, what: str) -> dict:
    """Poll the batch twice a second (within the gateway's per-key rate) until ``done(status)``."""
    deadline = time.monotonic() + timeout_s
    while not done(current := status(gateway, key, batch_id)):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}: {current}")
        time.sleep(0.5)
    return current


def submit(gateway, key: str, archive: bytes) -> str:
    response = gateway.post("/batches", headers={"X-API-Key": key}, data={"rubric_id": "stroke_v1"},
                            files={"files": ("cohort.zip", archive, "application/zip")})
    assert response.status_code == 202, response.text
    assert response.headers["Location"] == f"/batches/{response.json()['batch_id']}"
    return response.json()["batch_id"]


def test_a_cohort_zip_is_graded_through_the_gateway_with_a_csv(gateway, new_key):
    _, key = new_key("grade")
    batch_id = submit(gateway, key, cohort_zip(3, "csv"))
    final = wait_until(gateway, key, batch_id, lambda s: s["state"] == "complete", 120, "the batch to complete")
    assert (final["done"], final["failed"]) == (3, 0) and final["rubric_version"]
    response = gateway.get(f"/batches/{batch_id}/results.csv", headers={"X-API-Key": key})
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["student_id"] for r in rows] == [f"csv-s{i:03d}" for i in range(3)]
    for row in rows:
        grading = gateway.get(f"/gradings/{row['grading_id']}", headers={"X-API-Key": key}).json()
        assert grading["overall"] == pytest.approx(float(row["overall"]))
        assert row["key_questions"] and row["needs_review"] in ("true", "false") and row["error"] == ""


def test_batches_need_a_key_with_the_grade_scope(gateway, new_key):
    assert gateway.get("/batches/" + "0" * 32).status_code == 401
    _, reader = new_key("rubrics:read")
    assert gateway.get("/batches/" + "0" * 32, headers={"X-API-Key": reader}).status_code == 403


def test_an_orchestrator_killed_twice_mid_batch_resumes_it_and_grades_every_item_once(gateway, new_key, suite,
                                                                                  store_path):
    _, key = new_key("grade")
    batch_id = submit(gateway, key, cohort_zip(N_ITEMS, "kill"))
    for kill_after in (5, 25):  # graded items before each kill
        before = wait_until(gateway, key, batch_id, lambda s, n=kill_after: s["done"] >= n, 240,
                            f"{kill_after} items graded")
        if before["state"] == "complete":
            pytest.fail("the batch completed before the orchestrator could be killed; make it longer")
        suite.stop_service("grading_orchestrator")  # SIGKILL to its process group
        suite.start_service("grading_orchestrator")
    final = wait_until(gateway, key, batch_id, lambda s: s["state"] == "complete", 300,
                       "the batch to complete after the restart")
    assert (final["total"], final["done"], final["failed"]) == (N_ITEMS, N_ITEMS, 0)
    items = gateway.get(f"/batches/{batch_id}/results", headers={"X-API-Key": key}).json()["items"]
    students = {f"kill-s{i:03d}" for i in range(N_ITEMS)}
    assert {i["student_id"] for i in items} == students and len({i["grading_id"] for i in items}) == N_ITEMS
    stored = [orjson.loads(p.read_bytes()) for p in (store_path / "gradings").glob("*.json")]
    graded = [g["student_id"] for g in stored if g["student_id"] in students]
    assert sorted(graded) == sorted(students), "an item was graded twice or not at all"
