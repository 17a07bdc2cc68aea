"""The listening address: a service's own variable, else the image's MEDGRADE_HOST, else loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic_settings import SettingsConfigDict

from medgrade_shared.settings import ANY_SERVICE_HOST, ANY_SERVICE_STORE_PATH, ServiceSettings, StoreSettings


class _Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MEDGRADE_EXAMPLE_", extra="ignore")

    port: int = 8123


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ANY_SERVICE_HOST, raising=False)
    monkeypatch.delenv("MEDGRADE_EXAMPLE_HOST", raising=False)


def test_loopback_by_default() -> None:
    assert _Settings().host == "127.0.0.1"


def test_the_image_wide_host_applies_when_the_service_sets_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ANY_SERVICE_HOST, "0.0.0.0")
    assert _Settings().host == "0.0.0.0"


def test_the_service_variable_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ANY_SERVICE_HOST, "0.0.0.0")
    monkeypatch.setenv("MEDGRADE_EXAMPLE_HOST", "127.0.0.2")
    assert _Settings().host == "127.0.0.2"


class _Stored(StoreSettings):
    model_config = SettingsConfigDict(env_prefix="MEDGRADE_EXAMPLE_", extra="ignore")


def test_the_store_folder_falls_back_to_the_image_wide_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ANY_SERVICE_STORE_PATH, raising=False)
    monkeypatch.delenv("MEDGRADE_EXAMPLE_STORE_PATH", raising=False)
    assert _Stored().store_path == Path("var/store")
    monkeypatch.setenv(ANY_SERVICE_STORE_PATH, "/data/store")
    assert _Stored().store_path == Path("/data/store")
    monkeypatch.setenv("MEDGRADE_EXAMPLE_STORE_PATH", "/elsewhere")
    assert _Stored().store_path == Path("/elsewhere")
