"""Scoring's budgets: a transcript with more interviewer sentences than ``max_sentences`` is a
413 on every component, before any work; key questions stop at the caller's deadline (504)
between chunks of sentences; and the OpenAPI document resolves every ``$ref`` (so it can be
fuzzed)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from medgrade_shared.deadline import DEADLINE_HEADER
from medgrade_shared.testing.internal_token import INTERNAL_HEADERS
from scoring.core.config import ScoringSettings
from scoring.main import create_app
from scoring.semantic import model as semantic_model
from scoring.semantic.model import Encoder

ENDPOINTS = ("structure", "key_questions", "reasoning", "summary", "communication")


@pytest.fixture
def small(encoder: Encoder) -> Iterator[TestClient]:
    with TestClient(headers=INTERNAL_HEADERS,
                    app=create_app(ScoringSettings(max_sentences=10), encoder_loader=lambda: encoder)) as client:
        while client.get("/ready").status_code != 200:
            time.sleep(0.05)
        yield client


def _body(rubric: dict, make_parsed, sentences: int) -> dict:
    # distinct sentences: the model encodes each distinct text once
    lines = [("interviewer", f"When did it start, day {i}? Where is the pain, day {i}?") for i in range(sentences // 2)]
    return {"rubric": rubric, "parsed": make_parsed(lines).model_dump(mode="json")}


@pytest.mark.parametrize("component", ENDPOINTS)
def test_more_interviewer_sentences_than_the_limit_is_413_naming_it(small, chest_dict, make_parsed, component):
    response = small.post(f"/score/{component}", json=_body(chest_dict, make_parsed, 12))
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too_many_sentences"
    assert error["message"] == "The transcript has 12 interviewer sentences; scoring matches at most 10 in one request."
    assert error["details"] == {"limit": 10, "setting": "MEDGRADE_SCORING_MAX_SENTENCES"}
    assert small.post(f"/score/{component}", json=_body(chest_dict, make_parsed, 10)).status_code == 200


def test_key_questions_stop_at_the_deadline_between_chunks(encoder, chest_dict, make_parsed, monkeypatch):
    chunks = []
    real_encode_chunk = type(encoder)._encode_chunk

    def slow_encode_chunk(self, texts):
        chunks.append(len(texts))
        time.sleep(2.0)
        return real_encode_chunk(self, texts)

    with TestClient(headers=INTERNAL_HEADERS,
                    app=create_app(ScoringSettings(), encoder_loader=lambda: encoder)) as client:
        while client.get("/ready").status_code != 200:
            time.sleep(0.05)
        # slow from here on: the start-up's thesaurus is not what this test times
        monkeypatch.setattr(semantic_model, "ENCODE_CHUNK", 4)
        monkeypatch.setattr(type(encoder), "_encode_chunk", slow_encode_chunk)
        encoder.cache.clear()
        response = client.post("/score/key_questions", json=_body(chest_dict, make_parsed, 200),
                               headers={DEADLINE_HEADER: "5000"})  # ample room for what comes before, under load
    assert response.status_code == 504
    error = response.json()["error"]
    assert error["code"] == "deadline_exceeded" and error["details"] == {"stage": "key questions (embedding)"}
    assert 1 <= len(chunks) <= 4  # stopped after a few chunks, not all 25+


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _resolve(document: dict, ref: str) -> Any:
    assert ref.startswith("#/"), f"{ref} is not a local reference"
    node: Any = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def test_every_ref_in_the_openapi_document_resolves(encoder):
    document = create_app(ScoringSettings(), encoder_loader=lambda: encoder).openapi()
    refs = set(_refs(document))
    assert refs  # the responses refer to the component schemas
    for ref in refs:
        _resolve(document, ref)
    body = document["paths"]["/score/key_questions"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"rubric", "parsed"} <= set(body["properties"])
