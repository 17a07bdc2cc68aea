"""JSON bodies decoded and validated in one step, and models serialised once.

FastAPI's default path decodes a body with ``json.loads``, validates the Python objects,
and validates a returned model again before serialising it. For the large internal bodies
(a rubric plus a parsed transcript) that is most of a request's cost, so the internal
routes use pydantic's JSON parser directly and return the model's own JSON.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)


def json_body(model: type[ModelT]) -> Callable[[Request], Awaitable[ModelT]]:
    """A dependency returning the request body validated as ``model`` (422 envelope otherwise)."""

    async def decode(request: Request) -> ModelT:
        try:
            return model.model_validate_json(await request.body())
        except ValidationError as exc:
            raise body_validation_error(exc) from None

    return decode


def body_validation_error(exc: ValidationError) -> RequestValidationError:
    """A body's validation errors as the 422 envelope names them (``body.<field>``)."""
    errors = exc.errors(include_url=False, include_input=False)
    return RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors])


def body_schema(model: type[BaseModel], example: Any = None) -> dict[str, Any]:
    """``openapi_extra`` documenting the body a :func:`json_body` route takes."""
    media: dict[str, Any] = {"schema": model.model_json_schema()}
    if example is not None:
        media["example"] = example
    return {"requestBody": {"required": True, "content": {"application/json": media}}}


def json_response(result: BaseModel) -> Response:
    return Response(result.model_dump_json(), media_type="application/json")
