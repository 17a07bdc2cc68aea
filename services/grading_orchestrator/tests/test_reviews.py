"""``POST /gradings/{id}/reviews``: a teacher's overrides make a new revision, rescored with the
scoring formulas; the machine's grading stays byte for byte; concurrent reviews use If-Match."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from grading_orchestrator.main import create_app
from medgrade_shared.examples import example

REQUEST = {"rubric_id": "stroke_v1", "student_id": "s1",
           "submission": {"oral_transcript": example("parse_request")["text"]}}
# The stroke sample's key questions weigh 19 (five critical at 2, nine others at 1); 14 were asked.
ANTICOAGULANTS = {"kind": "key_question", "id": "anticoagulants", "asked": True, "utterance_index": 13}
WEIGHTS = {"structure": 0.15, "key_questions": 0.45, "reasoning": 0.2, "summary": 0.15, "communication": 0.05}


@pytest.fixture
def client(sample, settings):
    with TestClient(create_app(settings, transport=sample.transport())) as test_client:
        yield test_client


@pytest.fixture
def grader(keys) -> dict:
    return {"X-API-Key": keys.create("lms", ["grade"])}


@pytest.fixture
def teacher(keys) -> dict:
    return {"X-API-Key": keys.create("dr_jones", ["grade", "review"])}


@pytest.fixture
def grading(client, grader) -> str:
    response = client.post("/grade", json=REQUEST, headers=grader)
    assert response.status_code == 200, response.text
    return response.json()["grading_id"]


def review(client, grading_id, headers, overrides, reason="The matcher missed it.", if_match=None):
    if if_match is None:
        if_match = client.get(f"/gradings/{grading_id}", headers=headers).headers["ETag"]
    return client.post(f"/gradings/{grading_id}/reviews", json={"reason": reason, "overrides": overrides},
                       headers={**headers, "If-Match": if_match})


def test_a_key_question_override_rescores_the_component_and_the_overall(client, grading, teacher, settings):
    machine_bytes = (settings.store_path / "gradings" / f"{grading}.json").read_bytes()
    response = review(client, grading, teacher, [ANTICOAGULANTS])
    assert response.status_code == 201, response.text
    revised = response.json()
    assert revised["revision"] == 1 and revised["reviewed"] is True
    assert revised["components"]["key_questions"] == pytest.approx(16 / 19, abs=1e-6)
    expected = sum(WEIGHTS[n] * s for n, s in {**revised["components"], "key_questions": 16 / 19}.items())
    assert revised["overall"] == pytest.approx(expected, abs=1e-6)
    assert revised["breakdown"]["key_questions"]["score"] == revised["components"]["key_questions"]
    question = next(q for q in revised["details"]["key_questions"]["details"]["questions"]
                    if q["id"] == "anticoagulants")
    assert question["asked"] is True and question["utterance_index"] == 13 and question["method"] == "teacher"
    record = revised["review"]
    assert record["reviewer"] == "dr_jones" and record["reason"] == "The matcher missed it."
    assert record["changes"] == [{"kind": "key_question", "id": "anticoagulants",
                                  "before": {"asked": False, "utterance_index": None},
                                  "after": {"asked": True, "utterance_index": 13}}]
    assert record["reviewed_at"]
    assert [r["revision"] for r in revised["revisions"]] == [0, 1]
    assert revised["revisions"][0]["by"] == "machine" and revised["revisions"][1]["by"] == "dr_jones"
    # The machine's grading: untouched in the store and served byte for byte as revision 0.
    assert (settings.store_path / "gradings" / f"{grading}.json").read_bytes() == machine_bytes
    assert client.get(f"/gradings/{grading}?revision=0", headers=teacher).content == machine_bytes
    assert (settings.store_path / "gradings" / grading / "revisions" / "1.json").is_file()
    latest = client.get(f"/gradings/{grading}", headers=teacher)
    assert latest.json()["revision"] == 1 and latest.json()["reviewed"] is True
    assert latest.headers["ETag"] == response.headers["ETag"] != client.get(
        f"/gradings/{grading}?revision=0", headers=teacher).headers["ETag"]


def test_links_elements_and_component_scores_are_rescored_in_turn(client, grading, teacher):
    response = review(client, grading, teacher, [
        {"kind": "component", "name": "structure", "score": 0.5},
        {"kind": "reasoning_link", "id": "thrombolysis_window", "stated": False},
        {"kind": "summary_element", "id": "anticoagulation", "present": True},
    ])
    assert response.status_code == 201, response.text
    revised = response.json()
    reasoning = revised["details"]["reasoning"]["details"]
    detected = sum(link["detected"] for link in reasoning["links"])
    missing_major = sum(1 for link in reasoning["links"] if link["major"] and not link["detected"])
    assert revised["components"]["reasoning"] == pytest.approx(
        max(0.0, detected / len(reasoning["links"]) - 0.1 * missing_major), abs=1e-6)
    summary = revised["details"]["summary"]["details"]
    assert "anticoagulation" in summary["matched"] and revised["components"]["summary"] == pytest.approx(1.0)
    assert revised["components"]["structure"] == 0.5
    assert revised["overall"] == pytest.approx(sum(WEIGHTS[n] * s for n, s in revised["components"].items()),
                                               abs=1e-6)
    # Decisions first, component scores last, as the request says.
    assert [c["kind"] for c in revised["review"]["changes"]] == ["reasoning_link", "summary_element", "component"]
    assert revised["review"]["changes"][-1] == {"kind": "component", "id": "structure",
                                                "before": {"score": 1.0}, "after": {"score": 0.5}}


def test_reviews_build_a_history_and_each_revision_stays_readable(client, grading, teacher):
    assert review(client, grading, teacher, [ANTICOAGULANTS]).status_code == 201
    second = review(client, grading, teacher, [{"kind": "component", "name": "summary", "score": 0.2}],
                    reason="Summary read aloud, not written.")
    assert second.status_code == 201, second.text
    body = second.json()
    assert body["revision"] == 2 and [r["revision"] for r in body["revisions"]] == [0, 1, 2]
    assert body["revisions"][2]["reason"] == "Summary read aloud, not written."
    # The second review builds on the first: the teacher's key question is still asked.
    assert body["components"]["key_questions"] == pytest.approx(16 / 19, abs=1e-6)
    first = client.get(f"/gradings/{grading}?revision=1", headers=teacher).json()
    assert first["revision"] == 1 and first["components"]["summary"] == 0.9
    assert client.get(f"/gradings/{grading}?revision=3", headers=teacher).status_code == 404


def test_a_stale_if_match_is_refused_with_412_and_a_missing_one_with_428(client, grading, teacher):
    original = client.get(f"/gradings/{grading}", headers=teacher).headers["ETag"]
    assert review(client, grading, teacher, [ANTICOAGULANTS], if_match=original).status_code == 201
    stale = review(client, grading, teacher, [ANTICOAGULANTS], if_match=original)
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "stale_revision"
    missing = client.post(f"/gradings/{grading}/reviews", headers=teacher,
                          json={"reason": "x", "overrides": [ANTICOAGULANTS]})
    assert missing.status_code == 428


def test_concurrent_reviews_of_one_revision_one_wins_and_nothing_is_lost(client, grading, teacher):
    tag = client.get(f"/gradings/{grading}", headers=teacher).headers["ETag"]
    overrides = [[{"kind": "component", "name": "summary", "score": s / 10}] for s in range(6)]
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda o: review(client, grading, teacher, o, if_match=tag).status_code, overrides))
    assert sorted(answers) == [201] + [412] * 5
    revisions = client.get(f"/gradings/{grading}", headers=teacher).json()["revisions"]
    assert [r["revision"] for r in revisions] == [0, 1]


def test_a_grade_only_key_may_not_review(client, grading, grader):
    response = review(client, grading, grader, [ANTICOAGULANTS])
    assert response.status_code == 403
    assert response.json()["error"]["details"] == {"required_scope": "review"}
    assert client.post(f"/gradings/{grading}/reviews", json={}).status_code == 401


@pytest.mark.parametrize(("override", "code", "words"), [
    ({"kind": "key_question", "id": "bleeding", "asked": False}, "unknown_override", "no key question 'bleeding'"),
    ({"kind": "reasoning_link", "id": "nope", "stated": True}, "unknown_override", "thrombolysis_window"),
    ({"kind": "summary_element", "id": "nope", "present": True}, "unknown_override", "no summary element"),
    ({**ANTICOAGULANTS, "utterance_index": 999}, "bad_utterance_index", "no utterance 999"),
    ({**ANTICOAGULANTS, "utterance_index": 14}, "not_an_interviewer_utterance", "not by the student"),
])
def test_unknown_ids_and_bad_utterances_are_422_in_words_a_teacher_reads(client, grading, teacher, override,
                                                                         code, words):
    response = review(client, grading, teacher, [override])
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code
    assert words in response.json()["error"]["message"]
    assert client.get(f"/gradings/{grading}", headers=teacher).json().get("reviewed") is None


@pytest.mark.parametrize("body", [
    {"reason": "  ", "overrides": [ANTICOAGULANTS]},
    {"reason": "x", "overrides": []},
    {"reason": "x", "overrides": [{"kind": "key_question", "id": "anticoagulants", "asked": True}]},
    {"reason": "x", "overrides": [{"kind": "component", "name": "structure", "score": 1.5}]},
])
def test_a_request_that_does_not_validate_is_422(client, grading, teacher, body):
    tag = client.get(f"/gradings/{grading}", headers=teacher).headers["ETag"]
    response = client.post(f"/gradings/{grading}/reviews", json=body, headers={**teacher, "If-Match": tag})
    assert response.status_code == 422


def test_an_unknown_grading_is_404(client, teacher):
    response = client.post(f"/gradings/{'0' * 32}/reviews", headers={**teacher, "If-Match": '"x"'},
                           json={"reason": "x", "overrides": [ANTICOAGULANTS]})
    assert response.status_code == 404


def test_the_report_shows_the_review_and_marks_what_changed(client, grading, teacher):
    assert review(client, grading, teacher, [ANTICOAGULANTS], reason="Asked at 01:38 <b>really</b>").status_code == 201
    page = client.get(f"/gradings/{grading}/report", headers=teacher).text
    assert "Reviewed by dr_jones on " in page and "Asked at 01:38 &lt;b&gt;really&lt;/b&gt;" in page
    assert "not asked → asked (line 14)" in page
    assert page.count("class=\"flag flag-changed-by-teacher\"") == 1
    machine = client.get(f"/gradings/{grading}/report?revision=0", headers=teacher).text
    assert "Reviewed by" not in machine and "class=\"flag flag-changed-by-teacher\"" not in machine


def test_overrides_are_counted_by_rubric_item_and_direction(client, grading, teacher):
    review(client, grading, teacher, [ANTICOAGULANTS, {"kind": "component", "name": "summary", "score": 0.5}])
    metrics = client.get("/metrics").text
    assert ('grading_review_overrides_total{direction="added",item="key_question:anticoagulants",'
            'rubric_id="stroke_v1"} 1.0') in metrics
    assert ('grading_review_overrides_total{direction="lowered",item="component:summary",'
            'rubric_id="stroke_v1"} 1.0') in metrics


def test_review_stats_count_overrides_per_question_and_direction(client, grading, teacher, settings, capsys,
                                                                 monkeypatch):
    from grading_orchestrator import review_stats
    from medgrade_shared.store import LocalStore

    review(client, grading, teacher, [ANTICOAGULANTS])
    review(client, grading, teacher, [{**ANTICOAGULANTS, "asked": False, "utterance_index": None},
                                      {"kind": "component", "name": "summary", "score": 1.0}])
    stats = review_stats.review_stats(LocalStore(settings.store_path), "stroke_v1")
    assert stats["reviews"] == 2 and stats["gradings_reviewed"] == 1
    assert {(r["item"], r["direction"]): r["count"] for r in stats["overrides"]} == {
        ("key_question:anticoagulants", "added"): 1, ("key_question:anticoagulants", "removed"): 1,
        ("component:summary", "raised"): 1}
    assert review_stats.review_stats(LocalStore(settings.store_path), "chest_pain_v1")["reviews"] == 0
    monkeypatch.setenv("MEDGRADE_ORCHESTRATOR_STORE_PATH", str(settings.store_path))
    assert review_stats.main(["stroke_v1"]) == 0
    assert "key_question:anticoagulants" in capsys.readouterr().out


def test_review_stats_over_http_need_rubrics_read(client, grading, teacher, keys):
    review(client, grading, teacher, [ANTICOAGULANTS])
    assert client.get("/rubrics/stroke_v1/review-stats", headers=teacher).status_code == 403
    author = {"X-API-Key": keys.create("author", ["rubrics:read"])}
    response = client.get("/rubrics/stroke_v1/review-stats", headers=author)
    assert response.status_code == 200, response.text
    assert response.json() == {"rubric_id": "stroke_v1", "reviews": 1, "gradings_reviewed": 1, "overrides": [
        {"item": "key_question:anticoagulants", "direction": "added", "count": 1}]}
