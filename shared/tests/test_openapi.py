"""The corrected OpenAPI document (medgrade_shared.openapi) and the checks every service's
test_openapi.py runs on its own (medgrade_shared.testing.openapi): each check finds what it
is for. No ``from __future__ import annotations``: FastAPI reads the routes' annotations,
which name local values."""

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from medgrade_shared.examples import json_content
from medgrade_shared.json_body import body_schema, json_body
from medgrade_shared.service import create_service_app
from medgrade_shared.testing.openapi import openapi_problems


class Part(BaseModel):
    """A part."""

    size: int = Field(ge=0, description="How big.")


class Order(BaseModel):
    """An order."""

    part: Part = Field(description="The part ordered.")
    note: str | None = Field(default=None, description="A note.")


async def _ready(_: FastAPI) -> dict[str, bool]:
    return {}


def _app(*, example: Any = None, summary: str | None = "Place an order", query_description: str | None = "How many",
         answer: Any = None) -> FastAPI:
    app = create_service_app(service="demo", title="demo", lifespan=None, readiness=_ready, max_body_bytes=1 << 20)

    @app.post("/orders", summary=summary, openapi_extra=body_schema(Order, example),
              responses={200: {"model": Part, "content": json_content(answer)} if answer is not None else {}})
    def place_order(order: Annotated[Order, Depends(json_body(Order))],
                    count: Annotated[int, Query(description=query_description)] = 1) -> Response:
        return Response()

    return app


GOOD_ORDER = {"part": {"size": 3}, "note": "urgent"}
ORDERS = [("post", "/orders")]


def test_a_documented_service_has_no_problem():
    assert openapi_problems(_app(example=GOOD_ORDER, answer={"size": 3}), examples=ORDERS) == []


def test_a_422_is_the_error_envelope_and_every_error_has_its_schema():
    document = _app().openapi()
    answers = document["paths"]["/orders"]["post"]["responses"]
    assert answers["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorEnvelope"}
    assert "invalid_request" in answers["422"]["description"]
    assert not {"HTTPValidationError", "ValidationError"} & document["components"]["schemas"].keys()


def test_inlined_body_schemas_refer_to_components():
    document = _app().openapi()
    schema = document["paths"]["/orders"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "$defs" not in schema
    assert schema["properties"]["part"]["$ref"] == "#/components/schemas/Part"
    assert document["components"]["schemas"]["Part"]["properties"]["size"]["description"] == "How big."


def test_a_reference_that_does_not_resolve_is_found():
    app = FastAPI()  # not corrected: the inlined body keeps its #/$defs/ references

    @app.post("/orders", summary="Place an order", openapi_extra=body_schema(Order))
    def place_order() -> None: ...

    assert openapi_problems(app, examples=[]) == ["#/$defs/Part does not resolve"]


def test_a_missing_summary_and_descriptions_are_found():
    problems = openapi_problems(_app(summary=None, query_description=None), examples=[])
    assert problems == ["POST /orders has no summary", "POST /orders: parameter count has no description"]


def test_an_undescribed_field_is_found_through_references():
    class Bare(BaseModel):
        size: int

    class Wrapped(BaseModel):
        bare: Bare = Field(description="Undocumented inside.")

    app = create_service_app(service="demo", title="demo", lifespan=None, readiness=_ready, max_body_bytes=1 << 20)

    @app.post("/wrapped", summary="Wrap a part", openapi_extra=body_schema(Wrapped))
    def wrap() -> None: ...

    assert openapi_problems(app, examples=[]) == ["Bare.size has no description"]


def test_an_example_that_does_not_validate_is_found():
    problems = openapi_problems(_app(example={"part": {"size": -1}}, answer={"size": "big"}), examples=ORDERS)
    assert len(problems) == 2
    assert problems[0].startswith("POST /orders request application/json example at /part/size")
    assert problems[1].startswith("POST /orders 200 application/json example at /size")


def test_a_missing_example_is_found():
    assert openapi_problems(_app(), examples=[*ORDERS, ("get", "/nowhere")]) == [
        "POST /orders request has no example", "POST /orders 200 has no example",
        "GET /nowhere is not in the document"]
