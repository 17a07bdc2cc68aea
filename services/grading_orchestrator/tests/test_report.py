"""``GET /gradings/{id}/report``: the HTML report of a real grading of the stroke sample (the
services answer as they do for it, see ``SampleServices``), its escaping, its links, its
headers, its scope, and gradings stored before their transcript was kept."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from grading_orchestrator.api.routes.gradings import prefers_html
from grading_orchestrator.core.config import OrchestratorSettings
from grading_orchestrator.main import create_app
from grading_orchestrator.report import CONTENT_SECURITY_POLICY, percent
from medgrade_shared.api_keys import ApiKeyStore, open_key_file
from medgrade_shared.examples import example

REQUEST = {"rubric_id": "stroke_v1", "student_id": "s1",
           "submission": {"oral_transcript": example("parse_request")["text"]}}
INJECTED = '<script>document.title="pwned"</script>'


def make_client(services, store: Path, auth_required: bool = False) -> TestClient:
    settings = OrchestratorSettings(store_path=store, retry_backoff_max_s=0.01, auth_required=auth_required)
    return TestClient(create_app(settings, transport=services.transport()))


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def client(sample, store):
    with make_client(sample, store) as test_client:
        yield test_client


def graded(client: TestClient, headers: dict | None = None) -> str:
    response = client.post("/grade", json=REQUEST, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["grading_id"]


class Page(HTMLParser):
    """What the tests read from a page: element ids, links, tags, attributes and the style."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.styles: list[str] = []
        self.title = ""
        self._in: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self._in = tag
        for name, value in attrs:
            self.attributes.add(name)
            if name == "id":
                self.ids.append(value or "")
            if name == "href":
                self.hrefs.append(value or "")

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self.styles.append(data)
        elif self._in == "title":
            self.title += data


def test_the_report_of_the_sample_shows_what_a_teacher_needs(client, sample):
    grading_id = graded(client)
    response = client.get(f"/gradings/{grading_id}/report")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    # The trust signal first: the review verdict comes before the scores.
    assert html.index('id="review"') < html.index('id="scores"') and "No review needed" in html
    # Scores as percentages (and bars of that width).
    assert f"{percent(sample.aggregate['overall'])}%" in html
    assert "74%" in html and 'class="fill w74"' in html  # key questions: 0.736842
    # Every key question with its verdict, confidence and the line it was asked on.
    for question in sample.components["key_questions"]["details"]["questions"]:
        assert question["label"] in html
    assert html.count(" not asked</td>") == 3
    assert '<a class="cite" href="#u4">00:29-00:37</a>' in html  # onset time, asked at utterance 4
    # Reasoning links and summary elements by their rubric labels.
    assert "Links the onset time to the thrombolysis window (4.5 hours)" in html
    assert "Anticoagulation status" in html and 'href="#summary"' in html
    # The transcript: one element per utterance, the cited ones marked.
    page = Page(html)
    assert [i for i in page.ids if i.startswith("u")] == [f"u{i}" for i in range(len(sample.parsed["utterances"]))]
    assert re.search(r'<div id="u4" class="line role-interviewer cited">', html)
    assert re.search(r'<div id="u1" class="line role-patient">', html)
    # Engine versions at the foot.
    footer = html[html.index("<footer>"):]
    details = sample.components["key_questions"]["details"]
    for value in ("stroke_v1 version 1.0.0", details["matcher"], details["model_version"], details["decision_model"]):
        assert value in footer


def test_feedback_is_ordered_by_severity_critical_first(client):
    html = client.get(f"/gradings/{graded(client)}/report").text
    feedback = html[html.index('id="feedback"'):html.index("</section>", html.index('id="feedback"'))]
    severities = re.findall(r'<li class="sev-(\w+) ', feedback)
    assert severities[:2] == ["critical", "critical"]
    rank = ["critical", "major", "minor", "info"]
    assert [rank.index(s) for s in severities] == sorted(rank.index(s) for s in severities)


def test_every_link_resolves_to_an_element_of_the_page_and_nothing_is_fetched(client):
    page = Page(client.get(f"/gradings/{graded(client)}/report").text)
    assert page.hrefs and all(href.startswith("#") for href in page.hrefs)
    assert not {href[1:] for href in page.hrefs} - set(page.ids)
    assert len(page.ids) == len(set(page.ids))
    assert not page.tags & {"script", "link", "img", "iframe", "object", "embed", "form", "base"}
    assert "style" not in page.attributes and "src" not in page.attributes


def test_transcript_and_rubric_text_are_escaped(client, sample):
    sample.parsed["utterances"][4] = {**sample.parsed["utterances"][4], "text": f"When did it start? {INJECTED}"}
    sample.parsed["utterances"][1] = {**sample.parsed["utterances"][1], "speaker": '<img src=x onerror="alert(1)">'}
    sample.rubric["title"] = f"Stroke {INJECTED}"
    sample.rubric["reasoning"]["required_links"][0]["label"] = "<b>bold</b> & co"
    sample.components["key_questions"]["details"]["questions"][0]["label"] = INJECTED
    html = client.get(f"/gradings/{graded(client)}/report").text
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;document.title=&#34;pwned&#34;&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html
    assert Page(html).title.startswith("Report: s1, Stroke <script>")  # text, as the browser shows it


def test_the_headers_allow_only_the_pages_own_stylesheet(client):
    response = client.get(f"/gradings/{graded(client)}/report")
    csp = response.headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "default-src 'none'" in csp and "script-src" not in csp and "unsafe" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    (style,) = Page(response.text).styles
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in csp  # else the browser would drop the stylesheet
    assert "@media print" in style


def test_an_unknown_grading_is_a_404_envelope(client):
    for grading_id in ("0123456789abcdef0123456789abcdef", "..%2F..%2Fetc", "nope"):
        response = client.get(f"/gradings/{grading_id}/report")
        assert response.status_code == 404
        error = response.json()["error"]
        assert error["code"] in ("grading_not_found", "not_found") and error["message"]


def test_the_report_needs_the_grade_scope_like_the_grading(sample, store):
    keys = ApiKeyStore(open_key_file(OrchestratorSettings(store_path=store)))
    grader, editor = keys.create("lms", ["grade"]), keys.create("editor", ["rubrics:read"])
    with make_client(sample, store, auth_required=True) as client:
        grading_id = graded(client, {"X-API-Key": grader})
        for path in (f"/gradings/{grading_id}", f"/gradings/{grading_id}/report"):
            assert client.get(path).status_code == 401
            assert client.get(path, headers={"X-API-Key": "mgk_nope"}).status_code == 401
            assert client.get(path, headers={"X-API-Key": editor}).json()["error"]["code"] == "forbidden"
            assert client.get(path, headers={"X-API-Key": grader}).status_code == 200


def test_a_browser_asking_for_the_grading_is_sent_to_the_report(client):
    grading_id = graded(client)
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get(f"/gradings/{grading_id}", headers={"Accept": browser}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/gradings/{grading_id}/report"
    for accept in ("", "*/*", "application/json", "application/json, text/html", "text/html;q=0.5, */*"):
        response = client.get(f"/gradings/{grading_id}", headers={"Accept": accept})
        assert response.status_code == 200 and response.json()["grading_id"] == grading_id, accept
    assert client.get("/gradings/0123456789abcdef0123456789abcdef", headers={"Accept": browser}).status_code == 404


@pytest.mark.parametrize(("accept", "html"), [
    ("text/html", True), ("text/*", True), ("text/html, application/json;q=0.9", True),
    ("*/*", False), ("application/json", False), ("text/html;q=0, */*", False), ("text/html;q=x", False),
])
def test_prefers_html(accept, html):
    assert prefers_html(accept) is html


def test_an_older_grading_without_a_transcript_still_has_its_report(client, store):
    grading_id = graded(client)
    (store / "gradings" / grading_id / "transcript.json").unlink()
    response = client.get(f"/gradings/{grading_id}/report")
    assert response.status_code == 200
    page = Page(response.text)
    assert "Transcript not stored" in response.text
    assert not [i for i in page.ids if re.fullmatch(r"u\d+", i)]
    assert not {href[1:] for href in page.hrefs} - set(page.ids)
    assert '<span class="cite plain">00:29-00:37</span>' in response.text


def test_without_rubric_management_the_report_names_items_by_id(sample, store):
    with make_client(sample, store) as client:
        grading_id = graded(client)
    sample.failures["/rubrics/stroke_v1"] = [503] * 3
    with make_client(sample, store) as fresh:  # a new process: nothing cached
        response = fresh.get(f"/gradings/{grading_id}/report")
    assert response.status_code == 200
    assert "could not be read just now" in response.text and "thrombolysis_window" in response.text


def test_a_grading_that_needs_review_shows_why_at_the_top(client, sample):
    sample.parsed["warnings"] = [{"code": "roles_inferred", "message": "The roles were guessed <from> who asks.",
                                  "utterances": [0, 2]}]
    html = client.get(f"/gradings/{graded(client)}/report").text
    review = html[html.index('id="review"'):html.index('id="scores"')]
    assert "Needs review before release" in review
    assert "<code>roles_inferred</code> The roles were guessed &lt;from&gt; who asks." in review
    assert 'href="#u0"' in review and 'href="#u2"' in review


def test_the_report_is_documented_as_html_with_json_errors(client):
    responses = client.app.openapi()["paths"]["/gradings/{grading_id}/report"]["get"]["responses"]
    assert list(responses["200"]["content"]) == ["text/html"]
    assert responses["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorEnvelope")


def test_a_presentation_s_key_questions_read_reported_not_asked(client, sample):
    sample.components["key_questions"]["details"]["kind"] = "presentation"
    html = client.get(f"/gradings/{graded(client)}/report").text
    assert html.count(" not reported</td>") == 3 and " not asked</td>" not in html
