"""Debian's headless Chromium for the tests that render pages (the offline ``/docs``, the HTML
report): one way to start the browser, with every host name but the loopback unresolvable, so a
page can load only what the test serves (:func:`medgrade_shared.testing.loopback.serve`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
INSTALL_HINT = "scripts/check_prerequisites.sh test installs it (apt-get install chromium)"


def headless(profile: Path, url: str, *args: str, window: str = "1280,1800", budget_ms: int = 3000) -> str:
    """Chromium's stdout for ``url`` (``--dump-dom``, ``--screenshot=...`` and the like in ``args``),
    with a fresh profile and ``budget_ms`` of virtual time for the page to settle."""
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
               f"--user-data-dir={profile}", OFFLINE, f"--window-size={window}",
               f"--virtual-time-budget={budget_ms}", *args, url]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout
