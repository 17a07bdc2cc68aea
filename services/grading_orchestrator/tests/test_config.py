"""The orchestrator's URLs of the services it calls are the registry's, so scripts/suite.py can
move them to a port base by name."""

from __future__ import annotations

from grading_orchestrator.core.config import OrchestratorSettings
from medgrade_shared.registry import ORCHESTRATOR, ORCHESTRATOR_UPSTREAMS


def test_every_service_url_setting_is_a_registry_upstream_defaulting_to_its_url():
    fields = OrchestratorSettings.model_fields
    assert {name for name in fields if name.endswith("_service_url")} == set(ORCHESTRATOR_UPSTREAMS)
    for setting, upstream in ORCHESTRATOR_UPSTREAMS.items():
        assert fields[setting].default == upstream.url(), setting


def test_the_port_and_the_urls_are_read_from_the_registry_s_prefix(monkeypatch):
    monkeypatch.setenv(f"{ORCHESTRATOR.env_prefix}PORT", "20000")
    monkeypatch.setenv(f"{ORCHESTRATOR.env_prefix}SCORING_SERVICE_URL", "http://127.0.0.1:20003")
    settings = OrchestratorSettings()
    assert (settings.port, settings.scoring_service_url) == (20000, "http://127.0.0.1:20003")
