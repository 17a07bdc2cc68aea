"""``/batches``: a cohort's transcripts graded against one rubric version, with progress,
paged results and a CSV (:mod:`grading_orchestrator.batch_runner` does the work)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from grading_orchestrator import batch_intake, batch_views, uploads
from grading_orchestrator.api.deps import BatchesDep, SettingsDep
from grading_orchestrator.auth import caller
from medgrade_shared.errors import ApiError
from medgrade_shared.json_body import body_schema, body_validation_error, json_response
from medgrade_shared.models.batch import BatchRequest, BatchResultsPage, BatchStatus, BatchTarget
from medgrade_shared.models.errors import ErrorEnvelope
from medgrade_shared.models.rubric import SUBMISSION_KINDS

router = APIRouter(prefix="/batches", tags=["batches"])

BatchId = Annotated[str, Path(description="The `batch_id` of a batch.")]
_EXAMPLE = {"rubric_id": "stroke_v1", "items": [
    {"student_id": "s001", "transcript": "[00:01] Student: When did this start?\n[00:04] Patient: At noon."}]}
_SUBMIT_BODY = body_schema(BatchRequest, _EXAMPLE)
_SUBMIT_BODY["requestBody"]["content"]["multipart/form-data"] = {"schema": {
    "type": "object", "required": ["rubric_id", "files"], "properties": {
        "rubric_id": {"type": "string", "description": "The rubric to grade against."},
        "rubric_version": {"type": "string", "description": "A version of it; else the highest approved one."},
        "kind": {"type": "string", "enum": list(SUBMISSION_KINDS), "default": "interview",
                 "description": "What the transcripts are: interviews or oral case presentations."},
        "files": {"type": "array", "items": {"type": "string", "format": "binary"}, "description": (
            "The transcripts, each named by its student id (`s001.txt`, `s002.docx`), or one ZIP of them.")}}}}


async def _items(request: Request, max_items: int) -> tuple[BatchTarget, list[batch_intake.ItemInput]]:
    if not request.headers.get("content-type", "").lower().startswith("multipart/"):
        try:
            body = BatchRequest.model_validate_json(await request.body())
        except ValidationError as exc:
            raise body_validation_error(exc) from None
        return body, batch_intake.check_items(batch_intake.from_json(body), max_items)
    form = await request.form(max_files=max_items, max_fields=10)
    try:
        target = BatchTarget.model_validate({k: v for k, v in form.items() if isinstance(v, str)})
    except ValidationError as exc:
        raise body_validation_error(exc) from None
    items: list[batch_intake.ItemInput] = []
    for part in form.getlist("files"):
        if not isinstance(part, UploadFile):
            raise ApiError(422, "invalid_request", "`files` must be files, not text fields.")
        content = await part.read()
        if content.startswith(batch_intake.ZIP_MAGIC):
            items.extend(batch_intake.from_zip(content, max_items))
        else:
            uploads.check_size(len(content), uploads.safe_filename(part.filename))
            items.append(batch_intake.file_item(part.filename, content,
                                                part.content_type or "application/octet-stream"))
    return target, batch_intake.check_items(items, max_items)


@router.post("", status_code=202, summary="Grade a cohort", openapi_extra=_SUBMIT_BODY,
             responses={202: {"model": BatchStatus, "description": "Accepted: see `Location` for its progress."},
                        **{code: {"model": ErrorEnvelope} for code in (404, 409, 413, 422, 503)}})
async def submit_batch(request: Request, batches: BatchesDep, settings: SettingsDep,
                       client: Annotated[str, Depends(caller("grade"))],
                       idempotency_key: Annotated[str | None, Header(max_length=200, description=(
                           "Send the same key with the same batch again (a retry) to get the same batch back."))]
                       = None) -> Response:
    """Takes one rubric (`rubric_id`, optional `rubric_version`, pinned now: without one, the
    highest approved version at submission) and one transcript per student, as JSON `items`
    (`student_id`, `transcript`, optional `format`) or as multipart `files` named by student id
    (`s001.txt`, any format `POST /grade/upload` takes), or one ZIP of such files (200 MB at
    most; member names are only ever student ids). Answers 202 with the batch's status and its
    URL in `Location`; every item is then graded as `POST /grade` grades, a few at a time. An
    item whose same transcript was graded before for the same student and rubric version reuses
    that grading. 404 for an unknown rubric, 409 for an `Idempotency-Key` used for other items,
    413 for a file over 10 MB or a body over the limit, 422 for a request that does not
    validate (a file not named by a student id, a student twice, a ZIP that cannot be read)."""
    target, items = await _items(request, settings.batch_max_items)
    batch_id = await batches.submit(target.rubric_id, target.rubric_version, target.kind, items, client,
                                    idempotency_key)
    body = await batch_views.status(batches.store, batch_id)
    return Response(body.model_dump_json(), status_code=202, media_type="application/json",
                    headers={"Location": f"/batches/{batch_id}"})


@router.get("/{batch_id}", summary="A batch's progress",
            responses={200: {"model": BatchStatus}, 404: {"model": ErrorEnvelope}})
async def get_batch(batch_id: BatchId, batches: BatchesDep) -> Response:
    """Items done, failed, running and queued, how many gradings need review, when it started
    and finished, and an estimate of the seconds left. 404 for an unknown id."""
    return json_response(await batch_views.status(batches.store, batch_id))


@router.get("/{batch_id}/results", summary="A batch's results, a page at a time",
            responses={200: {"model": BatchResultsPage}, 404: {"model": ErrorEnvelope}})
async def get_results(batch_id: BatchId, batches: BatchesDep,
                      offset: Annotated[int, Query(ge=0, description="First item of the page.")] = 0,
                      limit: Annotated[int, Query(ge=1, le=500, description="Items per page.")] = 100) -> Response:
    """Each item in submission order: its status, grading id, overall and component scores,
    whether it needs review, its warnings' codes, or why it failed. `next_offset` is the next
    page's `offset`."""
    return json_response(await batch_views.results_page(batches.store, batch_id, offset, limit))


@router.get("/{batch_id}/results.csv", summary="A batch's results as CSV",
            responses={200: {"description": "UTF-8 with a byte order mark, one row per item.",
                             "content": {"text/csv": {"example": "\ufeffstudent_id,grading_id,overall\r\n"}}},
                       404: {"description": "No batch with that id (the JSON error envelope)."}})
async def get_results_csv(batch_id: BatchId, batches: BatchesDep) -> Response:
    """Columns `student_id`, `grading_id`, `overall`, one per component, `needs_review`,
    `warnings` and `error`: a spreadsheet opens it as it is. A cell that would start a formula
    (`=`, `+`, `-`, `@`) starts with `'`."""
    text = await batch_views.results_csv(batches.store, batch_id)
    return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}.csv"'})
