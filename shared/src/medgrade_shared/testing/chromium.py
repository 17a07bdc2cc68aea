"""Debian's headless Chromium for the tests that render pages (the offline ``/docs``, the HTML
report), and a tiny server of fixed pages on a free port of 127.0.0.1: one way to start the
browser, with every host name but the loopback unresolvable, so a page can load only what the
test serves."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


@dataclass
class Site:
    """Pages by path: (headers, body); ``requests`` lists every path asked for."""

    pages: dict[str, tuple[dict[str, str], bytes]]
    requests: list[str] = field(default_factory=list)
    url: str = ""


@contextmanager
def serve(pages: dict[str, tuple[dict[str, str], bytes]]) -> Iterator[Site]:
    """Serve ``pages`` on a free port of 127.0.0.1 until the block ends (404 for anything else)."""
    site = Site(pages)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append(self.path)
            page_headers, page = site.pages.get(self.path.partition("#")[0], ({}, b""))
            self.send_response(200 if page else 404)
            for name, value in page_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # port 0: a free one
    site.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
