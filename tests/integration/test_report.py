"""The HTML report of real gradings of the two samples through the real nginx gateway: served
with its policy headers (once each), every citation link resolving to a line of the page, the
grade scope needed, a browser asking for the grading redirected to it, 404 in the envelope; and
the report of the chest-pain sample and of a PriMock57 consultation rendered in headless Chromium."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
from PIL import Image

from medgrade_shared.testing.chromium import CHROMIUM, INSTALL_HINT, headless
from medgrade_shared.testing.loopback import serve

from .conftest import sample

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def keys(suite) -> dict[str, str]:
    """A key with the grade scope and one without it, made for each test: each test's requests
    fit a client's burst (run_integration_tests.sh: 5 requests/s, burst 5), however fast the
    gradings before them were (a regrade of a sample is a few tens of milliseconds)."""
    made = {}
    for scope in ("grade", "rubrics:read"):
        made[scope] = suite.keys_cli("create", "--name", f"it-report-{uuid.uuid4().hex[:8]}", "--scopes", scope)
    return made


@pytest.mark.parametrize(("rubric_id", "transcript"), [("stroke_v1", "stroke_interview.txt"),
                                                       ("chest_pain_v1", "chest_pain_interview.txt")])
def test_the_report_of_a_sample_through_the_gateway(gateway, keys, rubric_id, transcript):
    key = {"X-API-Key": keys["grade"]}
    graded = gateway.post("/grade", headers=key, json={"rubric_id": rubric_id, "student_id": "it-report",
                                                       "submission": {"oral_transcript": sample(transcript)}})
    assert graded.status_code == 200, graded.text
    result = graded.json()
    response = gateway.get(f"/gradings/{result['grading_id']}/report", headers=key)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'; style-src 'sha256-")
    assert response.headers.get_list("X-Content-Type-Options") == ["nosniff"]  # nginx's only, not twice
    html = response.text
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    hrefs = re.findall(r'\bhref="([^"]*)"', html)
    assert hrefs and all(href.startswith("#") and href[1:] in ids for href in hrefs)
    cited = {q["utterance_index"] for q in result["details"]["key_questions"]["details"]["questions"] if q["asked"]}
    assert all(f'href="#u{index}"' in html for index in cited)
    assert "<script" not in html


def test_a_browser_is_redirected_to_the_report_and_the_scope_holds(gateway, keys):
    key = {"X-API-Key": keys["grade"]}
    request = {"rubric_id": "stroke_v1", "student_id": "it-report",
               "submission": {"oral_transcript": sample("stroke_interview.txt")}}
    graded = gateway.post("/grade", headers=key, json=request)
    grading_id = graded.json()["grading_id"]
    redirected = gateway.get(f"/gradings/{grading_id}", headers={**key, "Accept": BROWSER_ACCEPT})
    assert redirected.status_code == 303
    assert redirected.headers["Location"] == f"/gradings/{grading_id}/report"
    assert gateway.get(f"/gradings/{grading_id}", headers=key).json()["grading_id"] == grading_id
    forbidden = gateway.get(f"/gradings/{grading_id}/report", headers={"X-API-Key": keys["rubrics:read"]})
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "forbidden"
    assert gateway.get(f"/gradings/{grading_id}/report").status_code == 401
    missing = gateway.get(f"/gradings/{'0' * 32}/report", headers=key)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "grading_not_found"


DATA = Path(__file__).resolve().parent / "data"
ARTIFACTS = Path(os.environ.get("MEDGRADE_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))


@pytest.mark.parametrize(("rubric_id", "transcript"), [
    ("chest_pain_v1", sample("chest_pain_interview.txt")),
    ("chest_pain_v1", (DATA / "primock57_day2_consultation07.txt").read_text(encoding="utf-8")),
], ids=["chest-pain-sample", "primock57-day2-07"])
def test_the_report_renders_in_chromium(gateway, keys, rubric_id, transcript, request, tmp_path):
    """A real grading's report, as the gateway served it, in headless Chromium: it renders (the
    stylesheet applied: many colours), asks for nothing but itself, and every citation link of
    the rendered page names an element of it. The screenshot is kept as a test artifact."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no chromium: {INSTALL_HINT}")
    key = {"X-API-Key": keys["grade"]}
    graded = gateway.post("/grade", headers=key, json={"rubric_id": rubric_id, "student_id": "it-report",
                                                       "submission": {"oral_transcript": transcript}})
    assert graded.status_code == 200, graded.text
    response = gateway.get(f"/gradings/{graded.json()['grading_id']}/report", headers=key)
    assert response.status_code == 200, response.text
    headers = {name: response.headers[name] for name in
               ("Content-Type", "Content-Security-Policy", "X-Content-Type-Options")}
    screenshot = ARTIFACTS / "report" / f"report-{request.node.callspec.id}.png"
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    with serve({"/report": (headers, response.content)}) as site:
        dom = headless(tmp_path / "dom", f"{site.url}/report", "--dump-dom")
        headless(tmp_path / "shot", f"{site.url}/report", f"--screenshot={screenshot}")
    assert set(site.requests) <= {"/report", "/favicon.ico"}, site.requests
    ids = set(re.findall(r'\bid="([^"]+)"', dom))
    links = re.findall(r'\bhref="#([^"]+)"', dom)
    assert links and set(links) <= ids
    with Image.open(screenshot) as image:
        assert len(image.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 100
