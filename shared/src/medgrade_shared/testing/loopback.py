"""A tiny server of fixed pages on a free port of 127.0.0.1, for the tests that need a real HTTP
peer (a page for Chromium, a /health for the image's probe) and nothing more."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Site:
    """Pages by path: (headers, body), answered 200 unless ``statuses`` says otherwise for the
    path; ``requests`` lists every path asked for."""

    pages: dict[str, tuple[dict[str, str], bytes]]
    requests: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    url: str = ""


@contextmanager
def serve(pages: dict[str, tuple[dict[str, str], bytes]]) -> Iterator[Site]:
    """Serve ``pages`` on a free port of 127.0.0.1 until the block ends (404 for anything else)."""
    site = Site(pages)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append(self.path)
            path = self.path.partition("#")[0]
            page_headers, page = site.pages.get(path, ({}, b""))
            self.send_response(site.statuses.get(path, 200) if page else 404)
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
