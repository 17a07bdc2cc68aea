"""Two corrections to the OpenAPI document FastAPI generates for a MedGrade service.

- Every error answer is the JSON error envelope (``service._install_error_handlers``): a 422
  is not FastAPI's ``HTTPValidationError``, which no service ever sends, and an error a route
  documents by its description only gets the envelope's schema.
- Bodies decoded by :func:`medgrade_shared.json_body.json_body` are documented by an inlined
  JSON schema whose ``$defs`` are referred to as ``#/$defs/…``. In an OpenAPI document ``#`` is
  the document itself, so Swagger UI cannot resolve them: they move to ``components/schemas``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from medgrade_shared.models.errors import ErrorEnvelope

_COMPONENTS = "#/components/schemas/"
_FASTAPI_422 = _COMPONENTS + "HTTPValidationError"
_ENVELOPE = {"application/json": {"schema": {"$ref": _COMPONENTS + "ErrorEnvelope"}}}
_VALIDATION_ERROR = {"description": "The request does not validate: the error envelope with code "
                                    "`invalid_request` and one `details` entry per invalid field.",
                     "content": _ENVELOPE}


def _hoist_defs(node: Any, schemas: dict[str, Any]) -> Any:
    """``node`` with every ``$defs`` entry moved to ``schemas`` and its references rewritten."""
    if isinstance(node, list):
        return [_hoist_defs(item, schemas) for item in node]
    if not isinstance(node, dict):
        return node
    for name, schema in node.get("$defs", {}).items():
        schemas.setdefault(name, _hoist_defs(schema, schemas))
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        node = {**node, "$ref": _COMPONENTS + ref.removeprefix("#/$defs/")}
    return {key: _hoist_defs(value, schemas) for key, value in node.items() if key != "$defs"}


def _correct(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    envelope = ErrorEnvelope.model_json_schema(ref_template=_COMPONENTS + "{model}")
    schemas.setdefault("ErrorEnvelope", _hoist_defs(envelope, schemas))
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for status, answer in operation.get("responses", {}).items():
                if answer.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref") == _FASTAPI_422:
                    operation["responses"][status] = _VALIDATION_ERROR
                elif status[0] in "45" and "content" not in answer:
                    answer["content"] = _ENVELOPE
    document["paths"] = _hoist_defs(document.get("paths", {}), schemas)
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return document


def document_errors_as_sent(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the corrected document (generated once, as FastAPI does)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _correct(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
