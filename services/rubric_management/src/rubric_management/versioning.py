"""Edits (PUT and JSON Patch) create a new version from the latest one; nothing is overwritten.

Bump rule: every edit bumps the minor version of the latest version of any status
(``1.4.2`` → ``1.5.0``), whatever it changes. Major versions are only made by creating one
explicitly (``POST /rubrics`` or an import with that version). A new version is a draft.

The base of an edit is the latest version of any status. Its ``ETag`` is what ``If-Match``
is compared with: a stale one is a 412. The new version is written with ``put_new``, so two
edits from the same base race for the same version number and exactly one wins. The loser
answers 412 when it sent ``If-Match``; otherwise it starts again from the new latest version
(the patch is re-applied to it, so no update is lost) and gives up with a 409 after
``edit_attempts`` tries. ``rubric_id``, ``version`` and ``status`` are managed by the service:
an edit that changes them is a 422, except a PUT body still carrying an older stored version:
it was read before the latest edit, which is a 409.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Callable
from typing import Any

import jsonpatch
import jsonpointer
import orjson

from medgrade_shared.errors import Conflict, NotFound, PreconditionFailed
from medgrade_shared.models.rubric import SEMVER_PATTERN, Rubric
from rubric_management.documents import invalid, parse_rubric, too_large
from rubric_management.patterns import pattern_problems
from rubric_management.repository import CreateOutcome, RubricRepository, RubricVersion, semver_key

MANAGED_FIELDS = ("rubric_id", "version", "status")
SEMVER = re.compile(SEMVER_PATTERN)
MAX_PATCH_OPERATIONS = 500

Change = Callable[[dict[str, Any]], Any]
"""From the base version's document to the edited document."""


def next_version(version: str) -> str:
    major, minor, _ = semver_key(version)
    return f"{major}.{minor + 1}.0"


def etag_matches(if_match: str, etag: str) -> bool:
    """Strong comparison (RFC 9110): ``*`` or one of the listed tags equals ``etag``."""
    tags = [tag.strip() for tag in if_match.split(",")]
    return "*" in tags or etag in tags


def not_found(repository: RubricRepository, rubric_id: str) -> NotFound:
    """404 for an unknown id, naming the closest existing ids (a typo is the usual cause)."""
    closest = difflib.get_close_matches(rubric_id, repository.rubric_ids(), n=3, cutoff=0.0)
    hint = f" The closest existing ids: {', '.join(closest)}." if closest else " There are no rubrics yet."
    return NotFound("not_found", f"There is no rubric {rubric_id!r}.{hint}",
                    {"reason": "unknown_rubric", "rubric_id": rubric_id, "closest": closest})


def stale(base: RubricVersion) -> PreconditionFailed:
    return PreconditionFailed("precondition_failed",
                              f"If-Match does not match the latest version of {base.rubric_id!r}, which is now "
                              f"{base.version}; fetch it and edit that.",
                              {"latest_version": base.version, "etag": base.etag})


def managed_fields_kept(document: Any, base: dict[str, Any]) -> None:
    if not isinstance(document, dict):
        return
    changed = [field for field in MANAGED_FIELDS if document.get(field) != base[field]]
    if changed:
        raise invalid(f"{', '.join(changed)} cannot be changed by an edit; the service sets them "
                      f"(the latest version is {base['version']}).",
                      [{"loc": ["body", field], "msg": f"must stay {base[field]!r}", "type": "managed_field"}
                       for field in changed])


def replacement(body: Any, latest: RubricVersion, repository: RubricRepository) -> Change:
    """PUT: the body replaces the whole rubric. Managed fields may be left out. A ``version``
    naming an older stored version means the body was read before the latest edit: 409. Any
    other change of ``rubric_id``, ``version`` or ``status`` is a 422."""
    if not isinstance(body, dict):
        raise invalid("A rubric is a JSON object.")
    claimed = body.get("version", latest.version)
    if claimed != latest.version and isinstance(claimed, str) and SEMVER.fullmatch(claimed) \
            and repository.get(latest.rubric_id, claimed) is not None:
        raise Conflict("conflict", f"The body is version {claimed} of {latest.rubric_id!r}, but the latest "
                       f"version is now {latest.version}; fetch it and edit that.",
                       {"latest_version": latest.version, "etag": latest.etag})
    managed_fields_kept({**latest.document(), **body}, latest.document())

    def change(base: dict[str, Any]) -> dict[str, Any]:
        return {**body, **{field: base[field] for field in MANAGED_FIELDS}}

    return change


def json_patch(operations: Any, max_bytes: int) -> Change:
    """PATCH: RFC 6902 operations, applied one by one; a document grown past ``max_bytes`` by
    ``copy`` operations is a 413. A failed ``test`` operation is a 409."""
    if not isinstance(operations, list) or not all(isinstance(op, dict) for op in operations):
        raise invalid("A JSON Patch is an array of operation objects.")
    if len(operations) > MAX_PATCH_OPERATIONS:
        raise invalid(f"A JSON Patch may hold at most {MAX_PATCH_OPERATIONS} operations.")
    try:
        steps = [jsonpatch.JsonPatch([op]) for op in operations]
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException, TypeError) as exc:
        raise invalid(f"The JSON Patch is not valid: {exc}.") from None

    def change(base: dict[str, Any]) -> Any:
        document: Any = copy.deepcopy(base)
        for index, (step, op) in enumerate(zip(steps, operations, strict=True)):
            try:
                document = step.apply(document, in_place=True)
            except jsonpatch.JsonPatchTestFailed as exc:
                raise Conflict("conflict", f"Operation {index} of the patch failed its test against "
                               f"version {base['version']}: {exc}.", {"operation": index}) from None
            except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException,
                    TypeError, KeyError, IndexError, ValueError) as exc:
                raise invalid(f"Operation {index} of the patch cannot be applied: {exc}.",
                              [{"loc": ["body", index], "msg": str(exc), "type": "json_patch"}]) from None
            if op.get("op") == "copy" and len(orjson.dumps(document)) > max_bytes:
                raise too_large(max_bytes)
        return document

    return change


def _edited_rubric(base: RubricVersion, change: Change) -> Rubric:
    base_document = base.document()
    document = change(base_document)
    managed_fields_kept(document, base_document)
    rubric = parse_rubric(document)
    problems = pattern_problems(rubric)
    if problems:
        raise invalid("Some rubric patterns are not valid RE2 regular expressions.", problems)
    rubric.version = next_version(base.version)
    rubric.status = "draft"
    return rubric


def edit(repository: RubricRepository, rubric_id: str, change: Change, *, if_match: str | None,
         attempts: int) -> RubricVersion:
    """Apply ``change`` to the latest version and store the result as the next version."""
    for _ in range(attempts):
        base = repository.latest(rubric_id)
        if base is None:
            raise not_found(repository, rubric_id)
        if if_match is not None and not etag_matches(if_match, base.etag):
            raise stale(base)
        rubric = _edited_rubric(base, change)
        outcome, stored = repository.create(rubric)
        if outcome is CreateOutcome.CREATED:
            return stored
        if if_match is not None:
            raise stale(stored)
    raise Conflict("conflict", f"Rubric {rubric_id!r} is being edited by others; "
                   f"{attempts} attempts to allocate a new version lost the race. Retry.")
