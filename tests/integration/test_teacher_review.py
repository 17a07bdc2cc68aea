"""A teacher's review through the real nginx gateway: a key with the review scope (made by the
key CLI) overrides a key question of a real grading of the stroke sample; the rescored revision
is served, the machine's grading stays byte for byte, a stale If-Match is 412, a grade-only key
403, the report shows the review, and the rubric's review stats count it."""

from __future__ import annotations

import uuid

import pytest

from .conftest import sample


@pytest.fixture(scope="module")
def keys(suite) -> dict[str, str]:
    name = f"it-review-{uuid.uuid4().hex[:8]}"
    return {"grade": suite.keys_cli("create", "--name", f"{name}-lms", "--scopes", "grade"),
            "review": suite.keys_cli("create", "--name", name, "--scopes", "grade,review"), "name": name,
            "author": suite.keys_cli("create", "--name", f"{name}-author", "--scopes", "rubrics:read")}


def test_a_teacher_review_through_the_gateway(gateway, keys):
    teacher, grader = {"X-API-Key": keys["review"]}, {"X-API-Key": keys["grade"]}
    graded = gateway.post("/grade", headers=grader, json={
        "rubric_id": "stroke_v1", "student_id": "it-review",
        "submission": {"oral_transcript": sample("stroke_interview.txt")}})
    assert graded.status_code == 200, graded.text
    grading_id = graded.json()["grading_id"]
    machine = gateway.get(f"/gradings/{grading_id}", headers=teacher)
    assert machine.status_code == 200 and machine.headers["ETag"]
    questions = machine.json()["details"]["key_questions"]["details"]["questions"]
    target = next(q for q in questions if not q["asked"])  # make the machine's "not asked" asked
    body = {"reason": "Asked in the opening question.",
            "overrides": [{"kind": "key_question", "id": target["id"], "asked": True, "utterance_index": 0}]}

    refused = gateway.post(f"/gradings/{grading_id}/reviews", json=body,
                           headers={**grader, "If-Match": machine.headers["ETag"]})
    assert refused.status_code == 403, refused.text

    reviewed = gateway.post(f"/gradings/{grading_id}/reviews", json=body,
                            headers={**teacher, "If-Match": machine.headers["ETag"]})
    assert reviewed.status_code == 201, reviewed.text
    revision = reviewed.json()
    assert revision["reviewed"] is True and revision["review"]["reviewer"] == keys["name"]
    assert revision["components"]["key_questions"] > machine.json()["components"]["key_questions"]
    assert revision["overall"] > machine.json()["overall"]

    stale = gateway.post(f"/gradings/{grading_id}/reviews", json=body,
                         headers={**teacher, "If-Match": machine.headers["ETag"]})
    assert stale.status_code == 412, stale.text

    latest = gateway.get(f"/gradings/{grading_id}", headers=grader)
    assert latest.json()["revision"] == 1 and [r["revision"] for r in latest.json()["revisions"]] == [0, 1]
    assert gateway.get(f"/gradings/{grading_id}?revision=0", headers=grader).content == machine.content
    report = gateway.get(f"/gradings/{grading_id}/report", headers=grader)
    assert report.status_code == 200 and f"Reviewed by {keys['name']} on " in report.text

    # The gateway sends this one /rubrics path to the orchestrator, for a key that reads rubrics.
    stats = gateway.get("/rubrics/stroke_v1/review-stats", headers={"X-API-Key": keys["author"]})
    assert stats.status_code == 200, stats.text
    assert {"item": f"key_question:{target['id']}", "direction": "added"}.items() <= next(
        row for row in stats.json()["overrides"] if row["item"] == f"key_question:{target['id']}").items()
