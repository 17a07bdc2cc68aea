"""``/docs`` renders with the network off: Debian's headless Chromium loads the orchestrator's
Swagger UI with every host name but 127.0.0.1 unresolvable (a page that needs a CDN stays
blank), takes a screenshot and dumps the DOM the page's scripts built."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from medgrade_shared.testing.chromium import CHROMIUM, INSTALL_HINT, headless

from .conftest import ORCHESTRATOR


def chromium(tmp_path: Path, *args: str) -> str:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no chromium: {INSTALL_HINT}")
    # Time for Swagger UI to fetch /openapi.json and render before the capture.
    return headless(tmp_path / "profile", f"{ORCHESTRATOR}/docs", *args, window="1280,1600", budget_ms=15000)


def test_the_swagger_ui_renders_the_operations(tmp_path):
    dom = chromium(tmp_path, "--dump-dom")
    assert 'class="swagger-ui' in dom
    assert dom.count('class="opblock ') >= 5, dom[:2000]
    assert "Grade a transcript against a rubric" in dom  # the summary of POST /grade


def test_the_screenshot_is_not_blank(tmp_path):
    screenshot = tmp_path / "docs.png"
    chromium(tmp_path, f"--screenshot={screenshot}")
    with Image.open(screenshot) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
    # A blank page has one colour; Swagger UI's text, method badges and borders have hundreds.
    assert len(colours) > 100, f"{len(colours)} colours"
