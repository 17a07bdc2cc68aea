"""Validation errors in words a teacher or an integrator reads: the field as the caller wrote it
(``submission.oral_transcript``, ``key_questions[0].phrases``) and what it allows, instead of
pydantic's "String should match pattern '^[A-Za-z0-9._@-]+$'"."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from medgrade_shared.models.grading import BLANK, STUDENT_ID_PATTERN
from medgrade_shared.models.rubric import ANCHOR_PATTERN, RUBRIC_ID_PATTERN, SEMVER_PATTERN

# What each id pattern allows; a pattern missing here is shown as it is.
PATTERN_RULES = {
    STUDENT_ID_PATTERN: "may contain letters, digits and . _ @ -; spaces are not allowed",
    RUBRIC_ID_PATTERN: "may contain lower-case letters, digits, _ and - (at most 64, starting and ending with a "
                       "letter or digit), e.g. chest_pain_v1",
    SEMVER_PATTERN: "must be a version of three whole numbers separated by dots, e.g. 1.2.0",
    ANCHOR_PATTERN: "may contain letters, digits and . _ - (at most 128, starting with a letter or digit)",
}
_WHERE = {"body", "query", "path", "header", "cookie"}
_SIMPLE = {
    "missing": "is required",
    "string_type": "must be text",
    "int_type": "must be a whole number", "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number", "float_parsing": "must be a number",
    "bool_type": "must be true or false", "bool_parsing": "must be true or false",
    "list_type": "must be a list", "tuple_type": "must be a list",
    "dict_type": "must be an object", "model_type": "must be an object", "model_attributes_type": "must be an object",
    "extra_forbidden": "is not a field this endpoint takes",
    BLANK: "must not be empty or only whitespace",
}
_BOUNDS = {"greater_than_equal": ("ge", "must be at least"), "greater_than": ("gt", "must be more than"),
           "less_than_equal": ("le", "must be at most"), "less_than": ("lt", "must be less than")}


def field_name(loc: Sequence[str | int]) -> str:
    """``("body", "key_questions", 0, "phrases")`` → ``key_questions[0].phrases``."""
    parts = list(loc[1:] if loc and loc[0] in _WHERE else loc)
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else f"{'.' if name else ''}{part}"
    return name or "the request body"


def plain_message(error: Mapping[str, Any]) -> str:
    """One pydantic error (``ValidationError.errors()`` item) as a sentence naming the field."""
    kind, ctx, field = error.get("type", ""), error.get("ctx") or {}, field_name(error.get("loc", ()))
    if kind == "json_invalid":
        return "The request body is not valid JSON."
    if kind in _SIMPLE:
        return f"{field} {_SIMPLE[kind]}."
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return f"{field} {PATTERN_RULES.get(pattern, f'must match the pattern {pattern}')}."
    if kind == "string_too_short":
        least = ctx.get("min_length", 1)
        return f"{field} must not be empty." if least == 1 else f"{field} must be at least {least} characters long."
    if kind == "string_too_long":
        return f"{field} must be at most {ctx.get('max_length')} characters long."
    if kind in ("too_short", "too_long"):
        return f"{field} {'needs at least' if kind == 'too_short' else 'takes at most'} " \
               f"{ctx.get('min_length' if kind == 'too_short' else 'max_length')} items."
    if kind == "literal_error":
        return f"{field} must be one of {ctx.get('expected')}."
    if kind in _BOUNDS:
        key, words = _BOUNDS[kind]
        return f"{field} {words} {ctx.get(key)}."
    message = str(error.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return f"{field}: {message}"


def validation_details(errors: Iterable[Mapping[str, Any]], prefix: Sequence[str] = (),
                       limit: int = 50) -> list[dict[str, Any]]:
    """Where and why, in plain words, without echoing the input back (it may be a whole transcript)."""
    details = []
    for error in errors:
        loc = [*prefix, *error.get("loc", ())]
        details.append({"field": field_name(loc), "loc": loc, "msg": plain_message({**error, "loc": loc}),
                        "type": error.get("type", "")})
        if len(details) == limit:
            break
    return details


def summary(details: Sequence[Mapping[str, Any]]) -> str:
    """The envelope's message: the first problems, and how many more the details hold."""
    shown = " ".join(str(d["msg"]) for d in details[:3])
    rest = len(details) - 3
    return f"{shown} (and {rest} more problem{'s' if rest > 1 else ''}: see details)" if rest > 0 else shown
