"""What ``GET /batches/{id}``, ``…/results`` and ``…/results.csv`` show, computed from the
batch's objects in the store (manifest, claims, outcomes)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from grading_orchestrator.batch_store import BatchStore
from medgrade_shared.errors import NotFound
from medgrade_shared.models.batch import BatchResult, BatchResultsPage, BatchStatus
from medgrade_shared.models.vocabulary import COMPONENTS

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


async def _load(store: BatchStore, batch_id: str) -> dict[str, Any]:
    manifest = await store.manifest(batch_id)
    if manifest is None:
        raise NotFound("batch_not_found", f"There is no batch {batch_id!r}.")
    return manifest


async def status(store: BatchStore, batch_id: str) -> BatchStatus:
    manifest = await _load(store, batch_id)
    claims, outcomes = await store.claims(batch_id), await store.outcomes(batch_id)
    total = len(manifest["items"])
    done = sum(1 for o in outcomes.values() if o["status"] == "done")
    failed = len(outcomes) - done
    running = sum(1 for index in claims if index not in outcomes)
    started = min((c["claimed_at"] for c in claims.values()), default=None)
    finished = max((o["finished_at"] for o in outcomes.values()), default=None) if len(outcomes) == total else None
    eta = None
    if finished is not None:
        eta = 0.0
    elif outcomes and started is not None:
        elapsed = (datetime.now(UTC) - datetime.fromisoformat(started)).total_seconds()
        eta = round(elapsed / len(outcomes) * (total - len(outcomes)), 1)
    state = "complete" if finished else ("running" if claims else "queued")
    return BatchStatus(
        batch_id=batch_id, rubric_id=manifest["rubric_id"], rubric_version=manifest["rubric_version"], state=state,
        total=total, done=done, failed=failed, running=running, queued=total - len(outcomes) - running,
        needs_review=sum(1 for o in outcomes.values() if o.get("needs_review")),
        reused=sum(1 for o in outcomes.values() if o.get("reused")), created_at=manifest["created_at"],
        started_at=started, finished_at=finished, eta_s=eta, results_url=f"/batches/{batch_id}/results",
        csv_url=f"/batches/{batch_id}/results.csv")


async def _results(store: BatchStore, manifest: dict[str, Any]) -> list[BatchResult]:
    batch_id = manifest["batch_id"]
    claims, outcomes = await store.claims(batch_id), await store.outcomes(batch_id)
    results = []
    for index, item in enumerate(manifest["items"]):
        outcome = outcomes.get(index)
        if outcome is None:
            results.append(BatchResult(index=index, student_id=item["student_id"],
                                       status="running" if index in claims else "queued"))
        else:
            results.append(BatchResult.model_validate(outcome))
    return results


async def results_page(store: BatchStore, batch_id: str, offset: int, limit: int) -> BatchResultsPage:
    manifest = await _load(store, batch_id)
    results = await _results(store, manifest)
    end = offset + limit
    return BatchResultsPage(batch_id=batch_id, total=len(results), offset=offset,
                            next_offset=end if end < len(results) else None, items=results[offset:end])


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


async def results_csv(store: BatchStore, batch_id: str) -> str:
    """UTF-8 with a byte order mark (a spreadsheet then reads it as UTF-8), one row per item;
    a cell that would start a formula starts with ``'`` instead."""
    results = await _results(store, await _load(store, batch_id))
    components = [c for c in COMPONENTS if any(c in r.components for r in results)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["student_id", "grading_id", "overall", *components, "needs_review", "warnings", "error"])
    for r in results:
        error = f"{r.error['code']}: {r.error['message']}" if r.error else ("" if r.status in ("done", "failed")
                                                                             else r.status)
        row = [r.student_id, r.grading_id, r.overall, *(r.components.get(c) for c in components),
               "" if r.needs_review is None else str(r.needs_review).lower(), ";".join(r.warnings), error]
        writer.writerow([_cell(value) for value in row])
    return "\ufeff" + out.getvalue()
