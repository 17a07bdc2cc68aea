"""Grade a transcript, grade a cohort, read and check rubrics, through the MedGrade API.

The API is ``MEDGRADE_URL`` (default the local gateway, http://127.0.0.1:8080) with the key in
``MEDGRADE_API_KEY``. Every command prints a table for people, or the API's JSON with ``--json``.

Exit codes: 0 done; 1 the API refused or failed (its message is printed); 2 a usage error; 3 the
API could not be reached; 4 a batch finished with failed items; 5 a batch was still running when
``--wait`` ran out (it goes on: ``GET /batches/{id}`` follows it).
"""

from __future__ import annotations

import json
import mimetypes
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from medgrade_cli.api import DEFAULT_URL, Api, ApiCallError, transcript_files

API_REFUSED, UNREACHABLE, ITEMS_FAILED, STILL_RUNNING = 1, 3, 4, 5
POLL_S = 1.0
RUBRICS_PAGE = 200

EXIT_CODES = ("Exit codes: 0 done; 1 the API refused or failed; 2 a usage error; 3 the API could not be reached; "
              "4 a batch finished with failed items; 5 a batch was still running when --wait ran out.")
app = typer.Typer(help=__doc__.split("\n\n")[0], epilog=EXIT_CODES, no_args_is_help=True, add_completion=False)
rubrics_app = typer.Typer(help="List, show and check rubrics.", no_args_is_help=True)
app.add_typer(rubrics_app, name="rubrics")
out = Console()
err = Console(stderr=True)


class Kind(StrEnum):
    interview = "interview"
    presentation = "presentation"


Url = Annotated[str, typer.Option(envvar="MEDGRADE_URL", help="The MedGrade API (the gateway).")]
Key = Annotated[str | None, typer.Option(envvar="MEDGRADE_API_KEY", help="An API key (X-API-Key).",
                                         show_default=False)]
AsJson = Annotated[bool, typer.Option("--json", help="Print the API's JSON instead of a table.")]
Rubric = Annotated[str, typer.Option("--rubric", help="The rubric id, e.g. stroke_v1.")]
Version = Annotated[str | None, typer.Option("--version", help="A rubric version; else its latest approved one.")]
KindOption = Annotated[Kind, typer.Option("--kind", help="What the transcripts are.")]


def _fail(exc: ApiCallError) -> typer.Exit:
    where = f" [{exc.status} {exc.code}]" if exc.status else ""
    request = f" (request {exc.request_id})" if exc.request_id else ""
    err.print(f"[red]error{where}:[/red] {exc.message}{request}", highlight=False)
    return typer.Exit(UNREACHABLE if exc.status is None else API_REFUSED)


def _print_json(document: Any) -> None:
    out.print_json(json.dumps(document))


def _file(path: Path) -> tuple[str, bytes, str]:
    return path.name, path.read_bytes(), mimetypes.guess_type(path.name)[0] or "application/octet-stream"


@app.command()
def grade(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help=(
              "The transcript: text, WebVTT, SRT, JSON, DOCX or PDF."))],
          rubric: Rubric, student: Annotated[str | None, typer.Option(help=(
              "The student's id; else the file's name without its extension."))] = None,
          version: Version = None, kind: KindOption = Kind.interview,
          url: Url = DEFAULT_URL, api_key: Key = None, as_json: AsJson = False) -> None:
    """Grade one transcript file (POST /grade/upload)."""
    form = {"rubric_id": rubric, "student_id": student or file.stem, "kind": kind.value,
            **({"rubric_version": version} if version else {})}
    try:
        result = Api(url, api_key).json("POST", "/grade/upload", data=form, files={"file": _file(file)})
    except ApiCallError as exc:
        raise _fail(exc) from None
    if as_json:
        _print_json(result)
        return
    table = Table(title=f"{result['student_id']} · {result['rubric_id']} {result['rubric_version']} · {result['kind']}")
    table.add_column("component")
    table.add_column("score", justify="right")
    table.add_column("weight", justify="right")
    for name, entry in result["breakdown"].items():
        table.add_row(name, f"{entry['score']:.3f}", f"{entry['weight']:.3f}")
    table.add_row("[bold]overall[/bold]", f"[bold]{result['overall']:.3f}[/bold]", "")
    out.print(table)
    missed = [item["message"] for item in result["feedback"] if item["kind"] == "violation"]
    for message in missed:
        out.print(f"  - {message}", highlight=False)
    if result["needs_review"]:
        out.print(f"[yellow]needs review:[/yellow] {', '.join(result['review_reasons'])}")
    out.print(f"grading {result['grading_id']}: {url.rstrip('/')}/gradings/{result['grading_id']}")


def _wait(api: Api, batch_id: str, total: int, wait_s: float) -> dict[str, Any]:
    """Poll the batch until it is complete or ``wait_s`` has passed, with a progress bar on stderr."""
    deadline = time.monotonic() + wait_s
    columns = (TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[note]}"),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("batch", total=total, note="")
        while True:
            status = api.json("GET", f"/batches/{batch_id}")
            note = f"failed {status['failed']}" if status["failed"] else ""
            progress.update(task, completed=status["done"] + status["failed"], note=note)
            if status["state"] == "complete" or time.monotonic() >= deadline:
                return status
            time.sleep(POLL_S)


def _results(api: Api, batch_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    offset: int | None = 0
    while offset is not None:
        page = api.json("GET", f"/batches/{batch_id}/results", params={"offset": offset, "limit": 500})
        items += page["items"]
        offset = page["next_offset"]
    return items


@app.command()
def batch(folder: Annotated[Path, typer.Argument(exists=True, file_okay=False, help=(
              "A folder of transcripts, each named by its student's id (s001.txt, s002.vtt, ...)."))],
          rubric: Rubric, version: Version = None, kind: KindOption = Kind.interview,
          out_csv: Annotated[Path | None, typer.Option("--out", help="Write the results CSV here.")] = None,
          idempotency_key: Annotated[str | None, typer.Option(help=(
              "Send the same key again to get the same batch instead of a new one."))] = None,
          wait: Annotated[float, typer.Option(help="Seconds to wait for the batch to finish.")] = 3600,
          url: Url = DEFAULT_URL, api_key: Key = None, as_json: AsJson = False) -> None:
    """Grade a cohort: one batch of every file in FOLDER (POST /batches), with progress."""
    files = [("files", _file(path)) for path in transcript_files(folder)]
    if not files:
        err.print(f"[red]error:[/red] {folder} holds no transcript files")
        raise typer.Exit(API_REFUSED)
    api = Api(url, api_key)
    form = {"rubric_id": rubric, "kind": kind.value, **({"rubric_version": version} if version else {})}
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    try:
        submitted = api.json("POST", "/batches", data=form, files=files, headers=headers)
        status = _wait(api, submitted["batch_id"], submitted["total"], wait)
        items = _results(api, submitted["batch_id"])
        if out_csv is not None:
            out_csv.write_bytes(api.call("GET", f"/batches/{submitted['batch_id']}/results.csv").content)
    except ApiCallError as exc:
        raise _fail(exc) from None
    if as_json:
        _print_json({"status": status, "items": items})
    else:
        _print_batch(status, items, out_csv)
    if status["state"] != "complete":
        raise typer.Exit(STILL_RUNNING)
    if status["failed"]:
        raise typer.Exit(ITEMS_FAILED)


def _print_batch(status: dict[str, Any], items: list[dict[str, Any]], out_csv: Path | None) -> None:
    table = Table(title=f"batch {status['batch_id']} · {status['rubric_id']} {status['rubric_version']}")
    for column in ("student", "overall", "needs review", "error"):
        table.add_column(column, justify="right" if column == "overall" else "left")
    for item in items:
        overall = f"{item['overall']:.3f}" if item.get("overall") is not None else "-"
        error = (item.get("error") or {}).get("message", "")
        table.add_row(item["student_id"], overall, "yes" if item.get("needs_review") else "", error)
    out.print(table)
    out.print(f"{status['state']}: {status['done']} graded, {status['failed']} failed, "
              f"{status['needs_review']} need review, {status['reused']} reused, of {status['total']}")
    if out_csv is not None:
        out.print(f"results written to {out_csv}")


@app.command()
def gradings(student: Annotated[str | None, typer.Option(help="Only this student's gradings.")] = None,
             rubric: Annotated[str | None, typer.Option("--rubric", help="Only those against this rubric.")] = None,
             batch_id: Annotated[str | None, typer.Option("--batch", help="Only those of this batch.")] = None,
             needs_review: Annotated[bool | None, typer.Option("--needs-review/--no-review-needed", help=(
                 "Only those that need a teacher's review, or only those that do not."))] = None,
             limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many.")] = 50,
             url: Url = DEFAULT_URL, api_key: Key = None, as_json: AsJson = False) -> None:
    """List gradings, newest first (GET /gradings)."""
    params = {key: value for key, value in (("student_id", student), ("rubric_id", rubric), ("batch_id", batch_id),
                                            ("needs_review", needs_review)) if value is not None}
    api, items, cursor = Api(url, api_key), [], None
    try:
        while len(items) < limit:
            page = api.json("GET", "/gradings", params={**params, "limit": min(200, limit - len(items)),
                                                        **({"cursor": cursor} if cursor else {})})
            items += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                break
    except ApiCallError as exc:
        raise _fail(exc) from None
    if as_json:
        _print_json(items)
        return
    table = Table(title="gradings")
    for column in ("graded at", "student", "rubric", "kind", "overall", "needs review", "grading"):
        table.add_column(column, justify="right" if column == "overall" else "left")
    for item in items:
        table.add_row(item["created_at"][:19], item["student_id"], f"{item['rubric_id']} {item['rubric_version']}",
                      item["kind"], f"{item['overall']:.3f}", "yes" if item["needs_review"] else "", item["grading_id"])
    out.print(table)


@rubrics_app.command("list")
def rubrics_list(url: Url = DEFAULT_URL, api_key: Key = None, as_json: AsJson = False) -> None:
    """The rubrics, each with its latest version and its approved one (GET /rubrics)."""
    api, listing = Api(url, api_key), {"items": [], "unreadable": []}
    try:
        while True:  # the service pages rubrics by offset, at most RUBRICS_PAGE at a time
            page = api.json("GET", "/rubrics", params={"limit": RUBRICS_PAGE,
                                                    "offset": len(listing["items"]) + len(listing["unreadable"])})
            listing["items"] += page["items"]
            listing["unreadable"] += page.get("unreadable", [])
            if not page["items"] or len(listing["items"]) + len(listing["unreadable"]) >= page["total"]:
                break
    except ApiCallError as exc:
        raise _fail(exc) from None
    if as_json:
        _print_json(listing)
        return
    table = Table(title="rubrics")
    for column in ("rubric", "latest", "status", "approved"):
        table.add_column(column)
    for item in listing["items"]:
        table.add_row(item["rubric_id"], item["latest_version"], item["status"], item.get("approved_version") or "-")
    out.print(table)
    for broken in listing["unreadable"]:
        out.print(f"[yellow]unreadable:[/yellow] {broken}", highlight=False)


@rubrics_app.command("show")
def rubrics_show(rubric_id: Annotated[str, typer.Argument(help="The rubric id.")], version: Version = None,
                 url: Url = DEFAULT_URL, api_key: Key = None) -> None:
    """Print a rubric version as JSON (GET /rubrics/{id})."""
    try:
        _print_json(Api(url, api_key).json("GET", f"/rubrics/{rubric_id}",
                                           params={"version": version} if version else None))
    except ApiCallError as exc:
        raise _fail(exc) from None


@rubrics_app.command("validate")
def rubrics_validate(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A rubric, JSON.")],
                     url: Url = DEFAULT_URL, api_key: Key = None, as_json: AsJson = False) -> None:
    """Run the QA gate on a rubric file without storing it (POST /rubrics/validate)."""
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        err.print(f"[red]error:[/red] {file} is not JSON: {exc}")
        raise typer.Exit(API_REFUSED) from None
    try:
        report = Api(url, api_key).json("POST", "/rubrics/validate", json=document)
    except ApiCallError as exc:
        if exc.code == "qa_failed" and isinstance(exc.details, dict):
            if as_json:
                _print_json(exc.details)
            for finding in exc.details.get("errors", []):
                err.print(f"  error: {finding.get('message', finding)}", highlight=False)
        raise _fail(exc) from None
    if as_json:
        _print_json(report)
    else:
        out.print(f"[green]{file.name} passes the QA gate[/green]")
        for warning in report.get("warnings", []):
            out.print(f"  warning: {warning.get('message', warning)}", highlight=False)
