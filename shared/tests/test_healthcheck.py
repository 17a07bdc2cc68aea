"""The image's liveness probe against a real HTTP server on a free loopback port."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from medgrade_shared import healthcheck
from medgrade_shared.registry import SCORING


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/health" else 404)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[http.server.HTTPServer]:
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_url_from_the_registry_and_the_service_port_variable() -> None:
    assert healthcheck.health_url({"MEDGRADE_SERVICE": "scoring"}) == f"http://127.0.0.1:{SCORING.default_port}/health"
    assert healthcheck.health_url({"MEDGRADE_SERVICE": "scoring", "MEDGRADE_SCORING_PORT": "18003"}) \
        == "http://127.0.0.1:18003/health"


@pytest.mark.parametrize("environ", [{}, {"MEDGRADE_SERVICE": "gateway"}, {"MEDGRADE_SERVICE": "nope"}])
def test_unknown_service_is_refused(environ: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="MEDGRADE_SERVICE"):
        healthcheck.health_url(environ)


def test_healthy_then_unhealthy(server: http.server.HTTPServer, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MEDGRADE_SERVICE", "scoring")
    monkeypatch.setenv("MEDGRADE_SCORING_PORT", str(server.server_address[1]))
    assert healthcheck.main() == 0
    monkeypatch.setattr(_Health, "status", 503)
    assert healthcheck.main() == 1
    monkeypatch.setenv("MEDGRADE_SERVICE", "nope")
    assert healthcheck.main() == 1
    assert "unhealthy" in capsys.readouterr().err


def test_nothing_listening_is_unhealthy(monkeypatch: pytest.MonkeyPatch) -> None:
    with http.server.HTTPServer(("127.0.0.1", 0), _Health) as closed:
        port = closed.server_address[1]
    monkeypatch.setenv("MEDGRADE_SERVICE", "scoring")
    monkeypatch.setenv("MEDGRADE_SCORING_PORT", str(port))
    assert healthcheck.main() == 1
