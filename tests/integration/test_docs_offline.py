"""``/docs`` renders with the network off: Debian's headless Chromium loads the orchestrator's
Swagger UI with every host name but 127.0.0.1 unresolvable (a page that needs a CDN stays
blank), takes a screenshot and dumps the DOM the page's scripts built."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from .conftest import ORCHESTRATOR

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Nothing but the loopback resolves: the page can load only what the service serves itself.
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    if not Path(CHROMIUM).exists():
        pytest.fail("no chromium: scripts/check_prerequisites.sh test installs it (apt-get install chromium)")
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run",
               f"--user-data-dir={tmp_path / 'profile'}", OFFLINE, "--window-size=1280,1600",
               # Time for Swagger UI to fetch /openapi.json and render before the capture.
               "--virtual-time-budget=15000", *args, f"{ORCHESTRATOR}/docs"]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def test_the_swagger_ui_renders_the_operations(tmp_path):
    dom = chromium(tmp_path, "--dump-dom").stdout
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
