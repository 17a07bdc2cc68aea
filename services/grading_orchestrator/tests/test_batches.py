"""Batches against scripted downstream services (no network): submission (JSON, files, ZIP),
progress, results, CSV, retries, idempotency, reuse, and resuming after a crash."""

from __future__ import annotations

import asyncio
import csv
import io
import time
import uuid
import zipfile

import boto3
import pytest
from fastapi.testclient import TestClient

from grading_orchestrator.batch_queue_sqs import create_queues
from grading_orchestrator.batch_store import BatchStore
from grading_orchestrator.core.config import OrchestratorSettings
from grading_orchestrator.main import create_app
from medgrade_shared.s3_store import S3Store
from medgrade_shared.store import LocalStore

pytest_plugins = ["medgrade_shared.testing.moto_server"]
TRANSCRIPT = "[00:01] Student: What brings you in?\n[00:04] Patient: A headache."


def batch(*students: str, transcript: str = TRANSCRIPT) -> dict:
    return {"rubric_id": "demo_v1", "items": [{"student_id": s, "transcript": f"{transcript} {s}"} for s in students]}


def settings_in(tmp_path, **changes) -> OrchestratorSettings:
    return OrchestratorSettings(store_path=tmp_path / "store", retry_backoff_max_s=0.01, auth_required=False,
                                batch_retry_backoff_s=0.01, **changes)


@pytest.fixture
def client(fake, tmp_path):
    with TestClient(create_app(settings_in(tmp_path), transport=fake.transport())) as test_client:
        yield test_client


def wait_complete(client, batch_id: str, timeout_s: float = 20) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        body = client.get(f"/batches/{batch_id}").json()
        if body["state"] == "complete":
            return body
        time.sleep(0.05)
    pytest.fail(f"batch {batch_id} did not complete: {body}")


def test_a_json_batch_is_graded_item_by_item_and_reported(client, fake):
    response = client.post("/batches", json=batch("s1", "s2", "s3"))
    assert response.status_code == 202, response.text
    batch_id = response.json()["batch_id"]
    assert response.headers["Location"] == f"/batches/{batch_id}"
    status = wait_complete(client, batch_id)
    assert (status["total"], status["done"], status["failed"], status["running"], status["queued"]) == (3, 3, 0, 0, 0)
    assert status["rubric_version"] == "1.2.0" and status["eta_s"] == 0 and status["finished_at"]
    assert fake.calls["/score/aggregate"] == 3
    page = client.get(f"/batches/{batch_id}/results", params={"limit": 2}).json()
    assert [i["student_id"] for i in page["items"]] == ["s1", "s2"] and page["next_offset"] == 2
    last = client.get(f"/batches/{batch_id}/results", params={"offset": 2}).json()
    assert [i["student_id"] for i in last["items"]] == ["s3"] and last["next_offset"] is None
    for item in page["items"] + last["items"]:
        grading = client.get(f"/gradings/{item['grading_id']}").json()
        assert grading["student_id"] == item["student_id"] and grading["overall"] == item["overall"]
    listed = client.get("/gradings", params={"batch_id": batch_id}).json()["items"]
    assert sorted(i["student_id"] for i in listed) == ["s1", "s2", "s3"]
    assert {i["batch_id"] for i in listed} == {batch_id}


def test_the_csv_has_a_bom_every_column_and_no_formula(client):
    batch_id = client.post("/batches", json=batch("-x1", "@me", "ok")).json()["batch_id"]
    wait_complete(client, batch_id)
    response = client.get(f"/batches/{batch_id}/results.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["student_id", "grading_id", "overall", "structure", "key_questions", "summary",
                       "needs_review", "warnings", "error"]
    assert [r[0] for r in rows[1:]] == ["'-x1", "'@me", "ok"]
    assert all(len(r[1]) == 32 and float(r[2]) == pytest.approx(0.25 * 0.5 + 0.5 * 0.8 + 0.25 * 0.4)
               for r in rows[1:])


@pytest.mark.parametrize(("failures", "attempts"), [(3 * 2, 3), (3 * 3, 3)])
def test_a_transient_failure_is_retried_and_a_lasting_one_recorded_without_stopping_the_batch(
        fake, tmp_path, failures, attempts):
    # Three tries of the client per attempt; one worker, so item s1 meets every failure.
    fake.failures["/score/aggregate"] = [503] * failures
    with TestClient(create_app(settings_in(tmp_path, batch_concurrency=1), transport=fake.transport())) as client:
        batch_id = client.post("/batches", json=batch("s1", "s2")).json()["batch_id"]
        status = wait_complete(client, batch_id)
        items = client.get(f"/batches/{batch_id}/results").json()["items"]
        csv_rows = client.get(f"/batches/{batch_id}/results.csv").content.decode("utf-8-sig").splitlines()
    assert items[0]["attempts"] == attempts and items[1]["status"] == "done"
    if failures < 9:
        assert (status["done"], status["failed"]) == (2, 0)
        return
    assert (status["done"], status["failed"]) == (1, 1)
    failed = next(i for i in items if i["status"] == "failed")
    assert failed["error"]["code"] == "service_unavailable" and failed["attempts"] == 3
    assert "scoring" in failed["error"]["message"]
    assert any("service_unavailable" in row for row in csv_rows)


def test_an_idempotency_key_returns_the_same_batch_and_a_graded_input_is_reused(client, fake):
    first = client.post("/batches", json=batch("s1"), headers={"Idempotency-Key": "k1"}).json()["batch_id"]
    again = client.post("/batches", json=batch("s1"), headers={"Idempotency-Key": "k1"}).json()["batch_id"]
    assert again == first
    conflict = client.post("/batches", json=batch("s2"), headers={"Idempotency-Key": "k1"})
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "idempotency_key_reused"
    wait_complete(client, first)
    graded = fake.calls["/score/aggregate"]
    other = client.post("/batches", json=batch("s1")).json()["batch_id"]
    status = wait_complete(client, other)
    assert status["reused"] == 1 and fake.calls["/score/aggregate"] == graded
    ids = [client.get(f"/batches/{b}/results").json()["items"][0]["grading_id"] for b in (first, other)]
    assert ids[0] == ids[1]


def test_a_batch_of_presentations_grades_each_as_its_kind_and_reuses_only_the_same_kind(client, fake):
    body = {**batch("s1", "s2"), "kind": "presentation"}
    body["items"][1]["kind"] = "interview"
    first = client.post("/batches", json=body).json()["batch_id"]
    wait_complete(client, first)
    kinds = {item["student_id"]: client.get(f"/gradings/{item['grading_id']}").json()["kind"]
             for item in client.get(f"/batches/{first}/results").json()["items"]}
    assert kinds == {"s1": "presentation", "s2": "interview"}

    graded = fake.calls["/score/aggregate"]
    again = client.post("/batches", json=batch("s1")).json()["batch_id"]  # the same transcript as an interview
    assert wait_complete(client, again)["reused"] == 0 and fake.calls["/score/aggregate"] == graded + 1


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_zip_names_students_by_file_and_never_uses_a_member_path(fake, tmp_path):
    answer = fake.handle

    def handle(request):  # the parser's upload answers as its /parse does
        if request.url.path == "/parse/upload":
            fake.calls["/parse/upload"] += 1
            return answer(request.__class__("POST", request.url.copy_with(path="/parse")))
        return answer(request)

    fake.handle = handle
    archive = zip_of({"../../evil/s1.txt": TRANSCRIPT.encode(), "cohort/s2.vtt": b"WEBVTT\n\n",
                      "__MACOSX/._s2.vtt": b"x", ".DS_Store": b"x"})
    with TestClient(create_app(settings_in(tmp_path), transport=fake.transport())) as client:
        response = client.post("/batches", data={"rubric_id": "demo_v1"},
                               files={"files": ("cohort.zip", archive, "application/zip")})
        assert response.status_code == 202, response.text
        status = wait_complete(client, response.json()["batch_id"])
        items = client.get(f"/batches/{status['batch_id']}/results").json()["items"]
    assert status["done"] == 2 and fake.calls["/parse/upload"] == 2
    assert [i["student_id"] for i in items] == ["s1", "s2"]
    assert not (tmp_path / "evil").exists() and not (tmp_path / "store" / "evil").exists()


@pytest.mark.parametrize(("members", "code"), [
    ({"s1.txt": b"a", "other/s1.txt": b"b"}, "duplicate_student"),
    ({"not a student!.txt": b"a"}, "bad_file_name"),
    ({"s1.txt": b""}, "empty_file"),
])
def test_a_bad_zip_member_is_a_422_naming_it(client, members, code):
    response = client.post("/batches", data={"rubric_id": "demo_v1"},
                           files={"files": ("c.zip", zip_of(members), "application/zip")})
    assert response.status_code == 422 and response.json()["error"]["code"] == code


def test_bad_requests_are_clear_4xx(client):
    assert client.post("/batches", data={"rubric_id": "demo_v1"},
                       files={"files": ("c.zip", b"PK\x03\x04broken", "application/zip")}).json()["error"]["code"] \
        == "bad_zip"
    unknown = client.post("/batches", json={"rubric_id": "nope_v1", "items": batch("s1")["items"]})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "rubric_not_found"
    assert client.post("/batches", json={"rubric_id": "demo_v1", "items": []}).status_code == 422
    assert client.post("/batches", json=batch("s1", "s1")).status_code == 422
    assert client.get("/batches/" + "0" * 32).status_code == 404
    assert client.get("/batches/../etc").status_code == 404


def test_a_claimed_item_whose_grading_is_stored_is_not_graded_again(fake, tmp_path):
    """What a restart finds after a crash between storing the grading and its outcome."""
    settings = settings_in(tmp_path)
    with TestClient(create_app(settings, transport=fake.transport())) as client:
        batch_id = client.post("/batches", json=batch("s1", "s2")).json()["batch_id"]
        wait_complete(client, batch_id)
    store = LocalStore(tmp_path / "store")
    outcome_key = f"batch-items/{batch_id}/outcomes/1.json"
    claim = asyncio.run(BatchStore(store).claims(batch_id))[1]
    store.delete(outcome_key)  # as if killed after the grading was stored
    store.delete(f"batches/{batch_id}.complete.json")
    graded = fake.calls["/score/aggregate"]
    with TestClient(create_app(settings, transport=fake.transport())) as client:
        status = wait_complete(client, batch_id)
        assert status["done"] == 2 and fake.calls["/score/aggregate"] == graded
        item = client.get(f"/batches/{batch_id}/results").json()["items"][1]
        assert item["grading_id"] == claim["grading_id"]
    assert len(list((tmp_path / "store" / "gradings").glob("*.json"))) == 2


@pytest.fixture
def aws(tmp_path, s3_endpoint, monkeypatch):
    """A bucket and a queue with its dead letters on the moto server: (settings of them, sqs client, store)."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    bucket = f"batches-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    sqs = boto3.client("sqs", endpoint_url=s3_endpoint, region_name="us-east-1")
    queue_url, dead_url = create_queues(sqs, bucket, 180, 2)
    changes = {"store_backend": "s3", "s3_bucket": bucket, "s3_endpoint_url": s3_endpoint,
               "batch_queue_backend": "sqs", "batch_queue_url": queue_url, "batch_dead_letter_queue_url": dead_url,
               "sqs_endpoint_url": s3_endpoint, "batch_max_receives": 2}
    return changes, sqs, S3Store(bucket, endpoint_url=s3_endpoint, region_name="us-east-1")


def test_a_batch_on_s3_and_sqs_is_graded_once_when_an_item_is_delivered_again(fake, tmp_path, aws):
    """Production's backends on a real moto server: the state in S3, the items in SQS. A worker
    killed after storing a grading but before its outcome leaves the message unacknowledged,
    and SQS delivers it again after the visibility timeout (sent here at once)."""
    changes, sqs, store = aws
    settings = settings_in(tmp_path, **changes)
    with TestClient(create_app(settings, transport=fake.transport())) as client:
        batch_id = client.post("/batches", json=batch("s1", "s2", "s3")).json()["batch_id"]
        wait_complete(client, batch_id)
    store.delete(f"batch-items/{batch_id}/outcomes/2.json")
    store.delete(f"batches/{batch_id}.complete.json")
    graded = fake.calls["/score/aggregate"]
    with TestClient(create_app(settings, transport=fake.transport())) as client:  # another replica
        assert client.get(f"/batches/{batch_id}").json()["running"] == 1  # start-up sent nothing again
        sqs.send_message(QueueUrl=changes["batch_queue_url"], MessageBody=f'{{"batch_id": "{batch_id}", "index": 2}}')
        status = wait_complete(client, batch_id, timeout_s=30)
        items = client.get(f"/batches/{batch_id}/results").json()["items"]
    assert status["done"] == 3 and fake.calls["/score/aggregate"] == graded
    gradings = [k for k in store.list_keys("gradings/") if k.count("/") == 1]
    assert sorted(gradings) == sorted(f"gradings/{i['grading_id']}.json" for i in items)


def test_with_sqs_start_up_sends_again_only_a_batch_whose_submission_was_cut_short(fake, tmp_path, aws):
    changes, sqs, store = aws
    api = settings_in(tmp_path, role="api", **changes)
    with TestClient(create_app(api, transport=fake.transport())) as client:  # queues, grades nothing
        whole = client.post("/batches", json=batch("s1", "s2")).json()["batch_id"]
        cut = client.post("/batches", json=batch("s3", "s4")).json()["batch_id"]
        assert client.get(f"/batches/{whole}").json()["state"] == "queued"
    store.delete(f"batches/{cut}.queued.json")  # as if the process died while sending its items
    sqs.purge_queue(QueueUrl=changes["batch_queue_url"])  # ... before any of them was sent
    with TestClient(create_app(settings_in(tmp_path, **changes), transport=fake.transport())) as client:
        assert wait_complete(client, cut)["done"] == 2
        time.sleep(0.5)  # long enough for a worker to take anything else in the queue
        assert client.get(f"/batches/{whole}").json()["state"] == "queued"
    assert fake.calls["/score/aggregate"] == 2


def test_a_worker_serves_no_public_route_and_grades_what_the_api_queued(fake, tmp_path, aws):
    changes, _, _ = aws
    with TestClient(create_app(settings_in(tmp_path, role="api", **changes), transport=fake.transport())) as api, \
            TestClient(create_app(settings_in(tmp_path, role="worker", **changes),
                                  transport=fake.transport())) as worker:
        batch_id = api.post("/batches", json=batch("s1", "s2", "s3")).json()["batch_id"]
        assert wait_complete(api, batch_id)["done"] == 3
        assert worker.get(f"/batches/{batch_id}").status_code == 404
        assert worker.post("/grade", json={}).status_code == 404
        assert worker.get("/ready").status_code == 200 and worker.get("/metrics").status_code == 200


def test_an_item_that_cannot_be_processed_is_recorded_failed_on_its_last_receive(fake, tmp_path, aws):
    changes, _, store = aws
    with TestClient(create_app(settings_in(tmp_path, role="api", **changes), transport=fake.transport())) as client:
        batch_id = client.post("/batches", json=batch("s1", "s2")).json()["batch_id"]
    store.delete(f"batch-items/{batch_id}/inputs/1.json")  # item 1 can never be read
    with TestClient(create_app(settings_in(tmp_path, **changes), transport=fake.transport())) as client:
        status = wait_complete(client, batch_id)
        failed = client.get(f"/batches/{batch_id}/results").json()["items"][1]
    assert (status["done"], status["failed"]) == (1, 1)
    assert failed["error"]["code"] == "batch_item_unprocessable" and failed["attempts"] == 2
    assert "submit it again" in failed["error"]["message"]


def test_api_and_worker_roles_need_the_sqs_queue(tmp_path):
    for role in ("api", "worker"):
        with pytest.raises(ValueError, match="needs batch_queue_backend=sqs"):
            settings_in(tmp_path, role=role)
