"""The image's liveness probe against a real HTTP server on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from medgrade_shared import healthcheck
from medgrade_shared.registry import SCORING
from medgrade_shared.testing.loopback import Site, serve


@pytest.fixture
def site() -> Iterator[Site]:
    with serve({"/health": ({"Content-Type": "application/json"}, b'{"status": "ok"}')}) as site:
        yield site


def test_url_from_the_registry_and_the_service_port_variable() -> None:
    assert healthcheck.health_url({"MEDGRADE_SERVICE": "scoring"}) == f"http://127.0.0.1:{SCORING.default_port}/health"
    assert healthcheck.health_url({"MEDGRADE_SERVICE": "scoring", "MEDGRADE_SCORING_PORT": "18003"}) \
        == "http://127.0.0.1:18003/health"


@pytest.mark.parametrize("environ", [{}, {"MEDGRADE_SERVICE": "gateway"}, {"MEDGRADE_SERVICE": "nope"}])
def test_unknown_service_is_refused(environ: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="MEDGRADE_SERVICE"):
        healthcheck.health_url(environ)


def test_healthy_then_unhealthy(site: Site, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MEDGRADE_SERVICE", "scoring")
    monkeypatch.setenv("MEDGRADE_SCORING_PORT", str(urlsplit(site.url).port))
    assert healthcheck.main() == 0
    assert site.requests == ["/health"]
    site.statuses["/health"] = 503
    assert healthcheck.main() == 1
    monkeypatch.setenv("MEDGRADE_SERVICE", "nope")
    assert healthcheck.main() == 1
    assert "unhealthy" in capsys.readouterr().err


def test_nothing_listening_is_unhealthy(monkeypatch: pytest.MonkeyPatch) -> None:
    with serve({}) as site:
        port = urlsplit(site.url).port
    monkeypatch.setenv("MEDGRADE_SERVICE", "scoring")
    monkeypatch.setenv("MEDGRADE_SCORING_PORT", str(port))  # closed again: the connection is refused
    assert healthcheck.main() == 1
