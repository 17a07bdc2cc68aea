"""The rubric service's OpenAPI document is complete (medgrade_shared.testing.openapi) and its
examples are the service's answers on a store seeded with the packaged examples."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from medgrade_shared.testing.internal_token import INTERNAL_HEADERS
from medgrade_shared.testing.openapi import openapi_problems
from rubric_management.api.docs import QA_REPORT, RUBRIC_PAGE, STROKE_RUBRIC, STROKE_RUBRIC_STORED
from rubric_management.core.config import RubricSettings
from rubric_management.main import create_app


@pytest.fixture
def seeded(tmp_path) -> Iterator[TestClient]:
    with TestClient(headers=INTERNAL_HEADERS, app=create_app(RubricSettings(store_path=tmp_path / "store"))) as client:
        yield client


def test_the_document_is_complete(seeded):
    operations = [("get", "/rubrics"), ("post", "/rubrics"), ("get", "/rubrics/{rubric_id}"),
                  ("post", "/rubrics/validate")]
    assert openapi_problems(seeded.app, examples=operations) == []


def test_the_examples_are_the_answers(seeded):
    assert seeded.get("/rubrics").json() == RUBRIC_PAGE
    assert seeded.get("/rubrics/stroke_v1").json() == STROKE_RUBRIC_STORED
    assert seeded.post("/rubrics/validate", json=STROKE_RUBRIC).json() == QA_REPORT
    assert seeded.post("/rubrics", json=STROKE_RUBRIC).json() == STROKE_RUBRIC_STORED  # identical content: 200
