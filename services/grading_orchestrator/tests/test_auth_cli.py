"""The key management command against a store in a temp folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from grading_orchestrator import keys_cli
from medgrade_shared.api_keys import ApiKeyStore, LocalKeyFile, hash_key


@pytest.fixture
def store(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("MEDGRADE_ORCHESTRATOR_STORE_PATH", str(tmp_path / "store"))
    return tmp_path / "store"


def keys(store: Path) -> ApiKeyStore:
    return ApiKeyStore(LocalKeyFile(store / "auth" / "api_keys.json"))


def test_create_prints_the_key_once_and_stores_only_its_hash(store, capsys):
    assert keys_cli.main(["create", "--name", "lms", "--scopes", "grade", "rubrics:read"]) == 0
    key = capsys.readouterr().out.strip()
    client = keys(store).verify(key)
    assert client is not None and client.name == "lms" and client.scopes == {"grade", "rubrics:read"}
    assert key not in (store / "auth" / "api_keys.json").read_text()


def test_list_shows_clients_and_hash_prefixes_never_keys_or_full_hashes(store, capsys):
    keys_cli.main(["create", "--name", "lms", "--scopes", "grade,rubrics:read"])
    key = capsys.readouterr().out.strip()
    assert keys_cli.main(["list"]) == 0
    listing = capsys.readouterr().out
    assert "lms" in listing and "grade rubrics:read" in listing and hash_key(key)[:12] in listing
    assert key not in listing and hash_key(key) not in listing


def test_revoke_by_name_or_hash(store, capsys):
    keys_cli.main(["create", "--name", "lms", "--scopes", "grade"])
    first = capsys.readouterr().out.strip()
    keys_cli.main(["create", "--name", "portal", "--scopes", "grade"])
    second = capsys.readouterr().out.strip()
    assert keys_cli.main(["revoke", "--hash", hash_key(second)[:10]]) == 0
    assert keys_cli.main(["revoke", "--name", "lms"]) == 0
    assert keys(store).verify(first) is None and keys(store).verify(second) is None
    assert keys_cli.main(["revoke", "--name", "lms"]) == 1
    capsys.readouterr()
    keys_cli.main(["list"])
    assert [line.split()[-2] for line in capsys.readouterr().out.splitlines()[1:]] == ["yes", "yes"]


def test_bad_input_is_an_error_not_a_traceback(store, capsys):
    assert keys_cli.main(["create", "--name", "lms", "--scopes", "admin"]) == 2
    assert "scopes must be" in capsys.readouterr().err


def test_create_accepts_the_review_scope(store, capsys):
    assert keys_cli.main(["create", "--name", "dr_jones", "--scopes", "grade,review"]) == 0
    client = keys(store).verify(capsys.readouterr().out.strip())
    assert client is not None and client.scopes == {"grade", "review"}
