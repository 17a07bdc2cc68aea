"""The HTML report in a real browser: Debian's headless Chromium loads the report of the stroke
sample (a ``<script>`` injected into its transcript) from a tiny HTTP server on a free port of
127.0.0.1, with the route's own headers and every other host name unresolvable. It checks the
injected script did not run (it would have set ``document.title``), that the page's
Content-Security-Policy stops a script even where escaping had failed, and keeps screenshots and
a printed PDF as test artifacts (``MEDGRADE_TEST_ARTIFACTS``, default ``test-artifacts/report``).

Skipped where Chromium is not installed, except in CI (``CI`` set), where that fails."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from grading_orchestrator.core.config import OrchestratorSettings
from grading_orchestrator.main import create_app
from medgrade_shared.examples import example
from medgrade_shared.testing.chromium import CHROMIUM, INSTALL_HINT, headless
from medgrade_shared.testing.loopback import Site, serve

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = Path(os.environ.get("MEDGRADE_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "report"
INJECTED = '<script>document.title="pwned"</script>'
TITLE = "Report: s1, Acute stroke: focused history"
PAGE_BACKGROUND, BAR_COLOUR = (0xF5, 0xF7, 0xFA), (0x24, 0x57, 0xA6)  # --wash and --accent of report.css


@pytest.fixture(scope="module")
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"no chromium in CI: {INSTALL_HINT}")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture
def report(sample, tmp_path) -> tuple[dict[str, str], bytes]:
    """The report route's answer (headers, body) for the stroke sample, a script in line 5."""
    sample.parsed["utterances"][4]["text"] += f" {INJECTED}"
    settings = OrchestratorSettings(store_path=tmp_path / "store", auth_required=False)
    request = {"rubric_id": "stroke_v1", "student_id": "s1",
               "submission": {"oral_transcript": example("parse_request")["text"]}}
    with TestClient(create_app(settings, transport=sample.transport())) as client:
        grading_id = client.post("/grade", json=request).json()["grading_id"]
        response = client.get(f"/gradings/{grading_id}/report")
    assert response.status_code == 200, response.text
    headers = {name: response.headers[name] for name in
               ("Content-Type", "Content-Security-Policy", "X-Content-Type-Options")}
    return headers, response.content


@pytest.fixture
def site(report) -> Iterator[Site]:
    headers, body = report
    # The page as it would be had escaping failed: a live script, with and without the policy.
    unescaped = body.replace(b"</main>", INJECTED.encode() + b"</main>")
    open_headers = {name: value for name, value in headers.items() if name != "Content-Security-Policy"}
    pages = {"/report": (headers, body), "/unescaped": (headers, unescaped),
             "/unescaped-without-policy": (open_headers, unescaped)}
    with serve(pages) as site:
        yield site


def title(dom: str) -> str:
    return dom[dom.index("<title>") + len("<title>"):dom.index("</title>")]


def test_the_injected_script_shows_as_text_and_does_not_headless(site, tmp_path):
    dom = headless(tmp_path / "profile", f"{site.url}/report", "--dump-dom")
    assert title(dom) == TITLE
    assert '&lt;script&gt;document.title="pwned"&lt;/script&gt;' in dom  # the transcript line, as text
    assert 'id="u58"' in dom and "<script" not in dom


def test_the_policy_stops_a_script_even_where_escaping_had_failed(chromium, site, tmp_path):
    # Without the policy the script runs: the check can see a script that ran.
    assert title(headless(tmp_path / "open", f"{site.url}/unescaped-without-policy", "--dump-dom")) == "pwned"
    assert title(headless(tmp_path / "strict", f"{site.url}/unescaped", "--dump-dom")) == TITLE


def test_screenshots_and_a_printed_pdf_are_kept(chromium, site, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    site.requests.clear()
    # The first screen, and the whole page in one tall window (a screenshot shows the window only).
    for name, window in (("report-top.png", "1280,1800"), ("report-full.png", "1280,8800")):
        headless(tmp_path / name, f"{site.url}/report", f"--screenshot={ARTIFACTS / name}", window=window)
        with Image.open(ARTIFACTS / name) as image:
            pixels = {colour: count for count, colour in image.convert("RGB").getcolors(maxcolors=1 << 24)}
            area = image.width * image.height
        # The stylesheet applied (the policy let it through by its hash): the page's background
        # and its bars' colour, which an unstyled page (white, default link blue) does not have.
        assert pixels.get(PAGE_BACKGROUND, 0) > area // 10, name
        assert pixels.get(BAR_COLOUR, 0) > 1000, name
    pdf = ARTIFACTS / "report.pdf"
    headless(tmp_path / "print", f"{site.url}/report", "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000
    # The page asked for nothing but itself (a favicon at most).
    assert set(site.requests) <= {"/report", "/favicon.ico"}, site.requests
