"""Checks of a service's OpenAPI document, one call for each service's ``test_openapi.py``:
``assert openapi_problems(app, examples=[("post", "/grade")]) == []``.

A problem is one line naming the route, schema or field, so a failing test says what to fix.
Needs ``jsonschema`` and ``openapi-spec-validator`` (requirements-dev.txt)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

Operation = tuple[str, str]  # (method, path), e.g. ("post", "/grade")

# Keywords whose values are data, not schemas: never walked for properties.
_DATA_KEYWORDS = frozenset({"example", "examples", "default", "const", "enum"})


def _operations(document: dict[str, Any]) -> Iterator[tuple[Operation, dict[str, Any]]]:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield (method, path), operation


def _media(operation: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, media type object) of the request body and of every answer."""
    for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
        yield f"request {media_type}", media
    for status, answer in operation.get("responses", {}).items():
        for media_type, media in answer.get("content", {}).items():
            yield f"{status} {media_type}", media


def _undescribed(document: dict[str, Any], schema: Any, where: str, seen: set[str]) -> Iterator[str]:
    """Properties without a description in ``schema`` and every component schema it refers to."""
    if isinstance(schema, list):
        for item in schema:
            yield from _undescribed(document, item, where, seen)
        return
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        name = ref.rsplit("/", 1)[1]
        if name not in seen:
            seen.add(name)
            yield from _undescribed(document, document["components"]["schemas"][name], name, seen)
    for field, spec in schema.get("properties", {}).items():
        if not spec.get("description"):
            yield f"{where}.{field} has no description"
    for key, value in schema.items():
        if key not in _DATA_KEYWORDS:
            yield from _undescribed(document, value, where, seen)


def _made_up_summary(method: str, path: str, operation: dict[str, Any]) -> str:
    """The summary FastAPI makes up from the function name when a route has none; the name is
    what the default operation id puts before the path (``fastapi.utils.generate_unique_id``)."""
    suffix = re.sub(r"\W", "_", path) + "_" + method
    name = operation["operationId"].removesuffix(suffix)
    return str(name).replace("_", " ").title()


def routes_without_summary(document: dict[str, Any]) -> list[str]:
    """Operations whose summary is the one FastAPI made up from the function name."""
    return [f"{method.upper()} {path} has no summary" for (method, path), operation in _operations(document)
            if operation.get("summary", "") in ("", _made_up_summary(method, path, operation))]


def undocumented_fields(document: dict[str, Any]) -> list[str]:
    """Parameters and schema properties reachable from any operation that have no description."""
    problems: set[str] = set()
    seen: set[str] = set()
    for (method, path), operation in _operations(document):
        for parameter in operation.get("parameters", []):
            if not parameter.get("description"):
                problems.add(f"{method.upper()} {path}: parameter {parameter['name']} has no description")
        for where, media in _media(operation):
            problems.update(_undescribed(document, media.get("schema", {}), f"{method.upper()} {path} {where}", seen))
    return sorted(problems)


def _resolves(document: dict[str, Any], ref: str) -> bool:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def unresolved_references(node: Any, document: dict[str, Any] | None = None) -> list[str]:
    """``$ref`` values that do not point into the document (Swagger UI shows an error for each)."""
    document = node if document is None else document
    if isinstance(node, list):
        return [problem for item in node for problem in unresolved_references(item, document)]
    if not isinstance(node, dict):
        return []
    ref = node.get("$ref")
    problems = [f"{ref} does not resolve"] if isinstance(ref, str) and not _resolves(document, ref) else []
    return problems + [problem for key, value in node.items() if key not in _DATA_KEYWORDS
                       for problem in unresolved_references(value, document)]


def _examples(media: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    if "example" in media:
        yield "example", media["example"]
    for name, example in media.get("examples", {}).items():
        yield f"example {name!r}", example["value"]


def invalid_examples(document: dict[str, Any]) -> list[str]:
    """Examples that do not validate against the schema beside them (JSON Schema 2020-12)."""
    problems = []
    for (method, path), operation in _operations(document):
        for where, media in _media(operation):
            validator = Draft202012Validator({**media.get("schema", {}), "components": document.get("components", {})})
            for name, value in _examples(media):
                for error in validator.iter_errors(value):
                    location = "/".join(str(part) for part in error.absolute_path)
                    problems.append(f"{method.upper()} {path} {where} {name} at /{location}: {error.message[:200]}")
    return problems


def operations_without_examples(document: dict[str, Any], operations: Iterable[Operation]) -> list[str]:
    """Of ``operations``, those whose JSON request body or successful answer has no example."""
    problems = []
    for method, path in operations:
        operation = document["paths"].get(path, {}).get(method)
        if operation is None:
            problems.append(f"{method.upper()} {path} is not in the document")
            continue
        bodies = [("request", operation.get("requestBody", {}).get("content", {}).get("application/json"))]
        bodies += [(status, answer.get("content", {}).get("application/json"))
                   for status, answer in operation["responses"].items() if status.startswith("2")]
        problems += [f"{method.upper()} {path} {where} has no example"
                     for where, media in bodies if media is not None and not any(_examples(media))]
    return problems


def openapi_problems(app: FastAPI, *, examples: Iterable[Operation]) -> list[str]:
    """Everything the checks above find, after checking the document is valid OpenAPI and every
    reference in it resolves."""
    document = app.openapi()
    try:
        validate_spec(document)
    except OpenAPIValidationError as exc:
        return [f"not a valid OpenAPI document: {exc}"]
    unresolved = unresolved_references(document)
    if unresolved:
        return unresolved
    return (routes_without_summary(document) + undocumented_fields(document) + invalid_examples(document)
            + operations_without_examples(document, examples))
