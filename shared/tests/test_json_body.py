from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.responses import Response
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from medgrade_shared.json_body import body_schema, json_body, json_response
from medgrade_shared.service import create_service_app


class Item(BaseModel):
    name: str = Field(min_length=1)
    count: int


def make_app():
    async def ready(_app) -> dict[str, bool]:
        return {}

    app = create_service_app(service="t", title="t", lifespan=None, readiness=ready, max_body_bytes=1 << 20)

    @app.post("/items", response_class=Response, openapi_extra=body_schema(Item))
    def echo(item: Annotated[Item, Depends(json_body(Item))]) -> Response:
        return json_response(Item(name=item.name.upper(), count=item.count + 1))

    return app


def test_valid_body_is_decoded_and_the_model_serialised():
    with TestClient(make_app()) as client:
        response = client.post("/items", content=b'{"name": "a", "count": 1}')
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"name": "A", "count": 2}


def test_invalid_bodies_get_the_422_envelope_with_body_locations():
    with TestClient(make_app()) as client:
        malformed = client.post("/items", content=b'{"name": ')
        wrong = client.post("/items", content=b'{"name": "", "count": "x"}')
    assert malformed.status_code == 422
    assert malformed.json()["error"]["code"] == "invalid_request"
    assert wrong.status_code == 422
    locations = [d["loc"] for d in wrong.json()["error"]["details"]]
    assert locations == [["body", "name"], ["body", "count"]]


def test_the_body_is_documented():
    schema = make_app().openapi()["paths"]["/items"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert schema["title"] == "Item"
    assert set(schema["properties"]) == {"name", "count"}
