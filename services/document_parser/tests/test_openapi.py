"""The parser's OpenAPI document is complete (medgrade_shared.testing.openapi) and its example
is what ``POST /parse`` answers for the example's request."""

from __future__ import annotations

from medgrade_shared.examples import example
from medgrade_shared.testing.openapi import openapi_problems


def test_the_document_is_complete(client):
    assert openapi_problems(client.app, examples=[("post", "/parse"), ("post", "/parse/upload")]) == []


def test_the_example_is_the_parse_of_its_request(client):
    response = client.post("/parse", json=example("parse_request"))
    assert response.status_code == 200
    assert response.json() == example("parsed_transcript")
