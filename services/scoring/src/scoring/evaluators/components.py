"""The scorer of each component: the one table the ``/score/<component>`` routes and the in-process
benchmark read, so that a component is scored the same way wherever it is scored."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from medgrade_shared.models.scoring import ComponentResult, ScoreRequest
from medgrade_shared.models.vocabulary import ComponentName
from scoring.evaluators.communication import score_communication
from scoring.evaluators.key_questions import score_key_questions
from scoring.evaluators.reasoning import score_reasoning
from scoring.evaluators.structure import score_structure
from scoring.evaluators.summary import score_summary
from scoring.semantic.model import Encoder


@dataclass(frozen=True)
class Scorer:
    score: Callable[[ScoreRequest, Encoder | None], ComponentResult]
    """(request, the loaded sentence-embedding model, or None where it needs none) -> result."""
    summary: str
    """The route's summary in the API documentation."""
    needs_model: bool = False
    """Whether it matches with the sentence-embedding model (its route answers 503 until loaded)."""


SCORERS: dict[ComponentName, Scorer] = {
    # the section order, the links and the summary are scored alike for every kind of submission
    "structure": Scorer(lambda r, _: score_structure(r.rubric, r.parsed), "Score the section order"),
    "key_questions": Scorer(lambda r, encoder: score_key_questions(r.rubric, r.parsed, encoder, kind=r.kind),
                            "Score the key questions asked (or, in a presentation, stated)", needs_model=True),
    "reasoning": Scorer(lambda r, _: score_reasoning(r.rubric, r.parsed), "Score the reasoning links stated"),
    "summary": Scorer(lambda r, _: score_summary(r.rubric, r.parsed), "Score the closing summary"),
    "communication": Scorer(lambda r, _: score_communication(r.rubric, r.parsed, r.kind),
                            "Score the communication behaviours of the submission's kind"),
}
