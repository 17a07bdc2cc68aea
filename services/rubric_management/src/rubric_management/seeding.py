"""The example rubrics packaged with the service, stored at startup when they are missing."""

from __future__ import annotations

import logging
from importlib.resources import files

from medgrade_shared.models.rubric import Rubric
from rubric_management.lifecycle import create
from rubric_management.repository import CreateOutcome, RubricRepository, UnreadableVersion

log = logging.getLogger(__name__)


def example_rubrics() -> list[Rubric]:
    folder = files("rubric_management").joinpath("examples")
    entries = sorted((entry for entry in folder.iterdir() if entry.name.endswith(".json")), key=lambda e: e.name)
    return [Rubric.model_validate_json(entry.read_bytes()) for entry in entries]


def seed_examples(repository: RubricRepository) -> None:
    """Store each example with its status (approved: through the QA gate); a version already
    stored with other content, or unreadable, is left alone."""
    for rubric in example_rubrics():
        try:
            outcome, _ = create(repository, rubric)
        except UnreadableVersion as exc:
            log.error("example rubric not seeded: %s", exc, extra={"rubric_id": rubric.rubric_id})
            continue
        if outcome is CreateOutcome.CONFLICT:
            log.warning(
                "example rubric not seeded: this version is already stored with other content",
                extra={"rubric_id": rubric.rubric_id, "version": rubric.version},
            )
        else:
            log.info("example rubric seeded", extra={"rubric_id": rubric.rubric_id, "outcome": outcome.value})
