"""Untrusted bytes → JSON documents and rubrics, with a clear 4xx for everything that is not one.

JSON is parsed by orjson, which refuses lone surrogates (``"\\ud800"``), NaN and Infinity.
YAML is parsed safely and without aliases (no "billion laughs"); what it produces must be
representable as JSON. Documents nest at most :data:`MAX_DEPTH` levels.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
import yaml
from pydantic import ValidationError

from medgrade_shared import messages
from medgrade_shared.errors import Invalid, TooLarge, UnsupportedMedia
from medgrade_shared.models.rubric import Rubric

MAX_DEPTH = 32
MAX_DETAILS = 50


def too_large(limit: int) -> TooLarge:
    return TooLarge("payload_too_large", f"The request body is larger than the limit of {limit} bytes.",
                    {"limit_bytes": limit})


def invalid(message: str, details: Any = None) -> Invalid:
    return Invalid("invalid_request", message, details)


async def read_limited(chunks: AsyncIterator[bytes], limit: int, framing: int = 0) -> AsyncIterator[bytes]:
    """Pass the chunks through; 413 as soon as more than ``limit`` bytes, plus ``framing`` bytes
    allowed for an envelope such as multipart boundaries, went by."""
    seen = 0
    async for chunk in chunks:
        seen += len(chunk)
        if seen > limit + framing:
            raise too_large(limit)
        yield chunk


def _check_depth(document: Any) -> None:
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        node, depth = pending.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > MAX_DEPTH:
                    raise invalid(f"The document nests deeper than {MAX_DEPTH} levels.")
                pending.append((child, depth + 1))


def parse_json(data: bytes) -> Any:
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise invalid(f"The body is not valid JSON: {exc}.") from None
    _check_depth(document)
    return document


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "aliases are not allowed", self.peek_event().start_mark)
        return super().compose_node(parent, index)


def parse_yaml(data: bytes) -> Any:
    try:
        document = yaml.load(data, Loader=_NoAliasLoader)  # a SafeLoader subclass: safe
    except (yaml.YAMLError, RecursionError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise invalid(f"The file is not valid YAML: {reason}.") from None
    try:
        return parse_json(orjson.dumps(document))
    except TypeError as exc:  # orjson.JSONEncodeError: surrogates, binary, sets, non-string keys
        raise invalid(f"The YAML file holds values JSON cannot represent: {exc}.") from None


def sniff(data: bytes) -> Any:
    """A rubric file in JSON or YAML, told apart by its content, not by its name."""
    if b"\x00" in data:
        raise UnsupportedMedia("unsupported_media_type", "The file is binary; expected a JSON or YAML rubric.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnsupportedMedia("unsupported_media_type", "The file is not UTF-8 text.") from None
    if text.lstrip().startswith(("{", "[")):
        return parse_json(text.encode("utf-8"))
    return parse_yaml(text.encode("utf-8"))


def validation_details(exc: ValidationError, prefix: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Where and why in plain words (:mod:`medgrade_shared.messages`), without echoing the input back."""
    return messages.validation_details(exc.errors(include_input=False), prefix, MAX_DETAILS)


def parse_rubric(document: Any, prefix: tuple[str, ...] = ("body",)) -> Rubric:
    if not isinstance(document, dict):
        raise invalid("A rubric is a JSON object.", [{"loc": list(prefix), "msg": "expected an object",
                                                      "type": "dict_type"}])
    try:
        return Rubric.model_validate(document)
    except ValidationError as exc:
        details = validation_details(exc, prefix)
        raise invalid(f"The rubric is not valid: {messages.summary(details)}", details) from None
