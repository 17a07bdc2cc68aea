"""The repository on both stores: content objects, status markers, history, latest."""

from __future__ import annotations

import json
from typing import Any

import pytest

from medgrade_shared.models.rubric import Rubric
from medgrade_shared.store import open_store
from rubric_management.core.config import RubricSettings
from rubric_management.repository import CreateOutcome, RubricRepository, VersionInfo, content_bytes


@pytest.fixture
def repository(store_settings: dict[str, Any]) -> RubricRepository:
    return RubricRepository(open_store(RubricSettings(**store_settings)))


def _rubric(stroke: dict[str, Any], version: str, **changes: Any) -> Rubric:
    return Rubric.model_validate({**stroke, "version": version, **changes})


def test_content_is_canonical_and_has_no_status(stroke: dict[str, Any]) -> None:
    data = content_bytes(_rubric(stroke, "1.0.0"))
    assert "status" not in json.loads(data)
    assert data == content_bytes(Rubric.model_validate(dict(reversed(list({**stroke, "status": "draft"}.items())))))


def test_create_stores_once_and_compares_content(repository: RubricRepository, stroke: dict[str, Any]) -> None:
    outcome, created = repository.create(_rubric(stroke, "1.0.0"))
    assert (outcome, created.status, created.version) == (CreateOutcome.CREATED, "draft", "1.0.0")
    # The requested status is not content: the same rubric marked approved is identical.
    assert repository.create(_rubric(stroke, "1.0.0", status="approved"))[0] is CreateOutcome.IDENTICAL
    outcome, existing = repository.create(_rubric(stroke, "1.0.0", title="other"))
    assert (outcome, existing.rubric.title) == (CreateOutcome.CONFLICT, stroke["title"])


def test_markers_decide_the_status_and_archived_wins(repository: RubricRepository, stroke: dict[str, Any]) -> None:
    repository.create(_rubric(stroke, "1.0.0"))
    assert repository.mark("stroke_v1", "1.0.0", "approved", {"status": "approved"}) is True
    assert repository.mark("stroke_v1", "1.0.0", "approved", {"status": "approved"}) is False
    assert repository.status("stroke_v1", "1.0.0") == "approved"
    repository.mark("stroke_v1", "1.0.0", "archived", {"status": "archived"})
    version = repository.get("stroke_v1", "1.0.0")
    assert version is not None
    assert (version.status, version.rubric.status, version.document()["status"]) == ("archived",) * 3
    with pytest.raises(ValueError, match="draft"):
        repository.mark("stroke_v1", "1.0.0", "draft", {})


def test_history_latest_and_latest_approved(repository: RubricRepository, stroke: dict[str, Any]) -> None:
    assert (repository.history("stroke_v1"), repository.latest("stroke_v1")) == ([], None)
    for version in ("1.2.0", "1.10.0", "1.9.0", "2.0.0"):
        repository.create(_rubric(stroke, version))
    repository.mark("stroke_v1", "1.9.0", "approved", {})
    repository.mark("stroke_v1", "1.10.0", "approved", {})
    repository.mark("stroke_v1", "1.10.0", "archived", {})
    assert repository.history("stroke_v1") == [VersionInfo("2.0.0", "draft"), VersionInfo("1.10.0", "archived"),
                                               VersionInfo("1.9.0", "approved"), VersionInfo("1.2.0", "draft")]
    latest = repository.latest("stroke_v1")
    approved = repository.latest_approved("stroke_v1")
    assert latest is not None
    assert approved is not None
    assert (latest.version, approved.version) == ("2.0.0", "1.9.0")
    assert repository.rubric_ids() == ["stroke_v1"]
    listing = repository.listing("stroke_v1")
    assert listing is not None
    assert (listing.latest_version, listing.status, listing.approved_version, listing.versions) == \
        ("2.0.0", "draft", "1.9.0", 4)


def test_a_rubric_whose_id_prefixes_another_is_kept_apart(repository: RubricRepository,
                                                          stroke: dict[str, Any]) -> None:
    repository.create(_rubric(stroke, "1.0.0", rubric_id="stroke"))
    repository.create(_rubric(stroke, "2.0.0"))
    assert [info.version for info in repository.history("stroke")] == ["1.0.0"]
    assert repository.rubric_ids() == ["stroke", "stroke_v1"]


def test_the_etag_hashes_the_representation(repository: RubricRepository, stroke: dict[str, Any]) -> None:
    _, draft = repository.create(_rubric(stroke, "1.0.0"))
    approved = draft.with_status("approved")
    assert draft.etag != approved.etag
    assert draft.content == approved.content
    assert json.loads(approved.body) == {**json.loads(draft.content), "status": "approved"}
