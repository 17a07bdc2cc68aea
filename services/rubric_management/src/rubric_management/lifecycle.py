"""Creating versions and moving them through their statuses: draft → approved → archived
(or draft → archived). Statuses only move forward; approving runs the QA gate.

A created version (``POST /rubrics``, import, seeding) carries the status its document asks
for, when that is further along than the stored one: asking for ``approved`` runs the QA gate
before anything is written. So a reference file marked approved is stored approved, and
re-submitting it finishes a creation that was interrupted between its two writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from medgrade_shared.errors import Conflict
from medgrade_shared.models.rubric import Rubric
from rubric_management.documents import invalid
from rubric_management.patterns import pattern_problems
from rubric_management.qa import QAReport, rejection, review
from rubric_management.repository import CreateOutcome, RubricRepository, RubricVersion, Status

_ORDER: dict[Status, int] = {"draft": 0, "approved": 1, "archived": 2}


@dataclass(frozen=True)
class Transition:
    version: RubricVersion
    report: QAReport | None = None


def _gate(rubric: Rubric) -> QAReport:
    report = review(rubric)
    if not report.valid:
        raise rejection(report, f"Version {rubric.version} of {rubric.rubric_id!r}")
    return report


def _record(status: Status, report: QAReport | None) -> dict[str, object]:
    record: dict[str, object] = {"status": status, "at": datetime.now(UTC).isoformat(timespec="seconds")}
    if report is not None:
        record["qa_warnings"] = [finding.message for finding in report.warnings]
    return record


def _move(repository: RubricRepository, version: RubricVersion, status: Status,
          report: QAReport | None) -> RubricVersion:
    repository.mark(version.rubric_id, version.version, status, _record(status, report))
    return version.with_status(repository.status(version.rubric_id, version.version))


def approve(repository: RubricRepository, version: RubricVersion) -> Transition:
    if version.status == "archived":
        raise Conflict("conflict", f"Version {version.version} of {version.rubric_id!r} is archived; "
                       "archived versions cannot be approved again. Edit it to make a new draft.")
    if version.status == "approved":
        return Transition(version)
    report = _gate(version.rubric)
    return Transition(_move(repository, version, "approved", report), report)


def archive(repository: RubricRepository, version: RubricVersion) -> Transition:
    if version.status == "archived":
        return Transition(version)
    return Transition(_move(repository, version, "archived", None))


def create(repository: RubricRepository, rubric: Rubric) -> tuple[CreateOutcome, RubricVersion]:
    """Store a new version; CONFLICT when that version exists with other content."""
    problems = pattern_problems(rubric)
    if problems:
        raise invalid("Some rubric patterns are not valid RE2 regular expressions.", problems)
    requested: Status = rubric.status
    if requested == "approved":
        _gate(rubric)
    outcome, stored = repository.create(rubric)
    if outcome is CreateOutcome.CONFLICT or _ORDER[requested] <= _ORDER[stored.status]:
        return outcome, stored
    if requested == "approved":
        return outcome, approve(repository, stored).version
    return outcome, archive(repository, stored).version
