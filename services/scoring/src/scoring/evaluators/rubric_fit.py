"""Whether the consultation is about what the rubric is for.

A diarrhoea consultation graded against a chest-pain rubric gets a grade that means nothing,
and nothing else in the pipeline notices. The patient says what brought them early on, so
the patient's opening words (their sentences of three words or more, up to ``opening_words``
words; in a presentation, which has no patient, the student's, whose problem statement says it)
are compared, by the same sentence-embedding model as the key questions, with what
the rubric says it is for (:func:`scoring.semantic.index.purpose_texts`: its title and
description, its question labels when it has neither). The fit is the highest cosine
similarity between an opening sentence and one of those texts; below ``threshold`` the rubric
does not fit and the grade is flagged for review, never silently released. The settings were
chosen by leave-one-complaint-out cross-validation on the labelled consultations, each against
its own rubric and every other one (``benchmarks/eval_rubric_fit.py``; figures in
``evaluation/key_questions/README.md``), and for presentations separately on the presentation set
(``evaluation/presentations/README.md``: the same settings).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from medgrade_shared.models.rubric import Rubric, SubmissionKind
from medgrade_shared.models.transcript import ParsedTranscript
from scoring.semantic.index import phrase_index
from scoring.semantic.model import Encoder
from scoring.semantic.sentences import matching_units

_MIN_SENTENCE_WORDS = 3


@dataclass(frozen=True)
class FitSettings:
    opening_words: int = 200
    threshold: float = 0.41


DEFAULT_FIT = FitSettings()  # for presentations too: see evaluation/presentations/README.md
_SPEAKER: dict[SubmissionKind, str] = {"interview": "patient", "presentation": "interviewer"}


def opening_sentences(parsed: ParsedTranscript, opening_words: int,
                      kind: SubmissionKind = "interview") -> list[tuple[int, str]]:
    """(utterance index, sentence) of the first sentences that say what the encounter is about, up
    to ``opening_words`` words: the patient's in an interview, the student's in a presentation."""
    found, words = [], 0
    for utterance in sorted(parsed.utterances, key=lambda u: u.index):
        if utterance.role != _SPEAKER[kind] or utterance.dictated:
            continue
        for sentence in matching_units(utterance.match_text):
            if len(sentence.split()) >= _MIN_SENTENCE_WORDS:
                found.append((utterance.index, sentence))
                words += len(sentence.split())
        if words >= opening_words:
            break
    return found


def fit_similarity(rubric: Rubric, parsed: ParsedTranscript, encoder: Encoder,
                   opening_words: int, kind: SubmissionKind = "interview") -> tuple[float, int | None]:
    """(similarity, index of the utterance that fits best); (0.0, None) without opening words.
    The rubric's texts come from the cache of its embeddings (:mod:`scoring.semantic.index`)."""
    opening = opening_sentences(parsed, opening_words, kind)
    purposes = phrase_index.purposes(rubric, encoder)
    if not opening or not len(purposes):
        return 0.0, None
    similarities = (encoder.encode([s for _, s in opening]) @ purposes.T).max(axis=1)
    best = int(np.argmax(similarities))
    return float(similarities[best]), opening[best][0]


def rubric_fit(rubric: Rubric, parsed: ParsedTranscript, encoder: Encoder, kind: SubmissionKind = "interview",
               settings: FitSettings = DEFAULT_FIT) -> dict[str, Any]:
    """The fit as the key-question details report it; ``fits`` is None when there is nothing to
    judge by (an interview without patient speech: see the parse warnings)."""
    similarity, utterance_index = fit_similarity(rubric, parsed, encoder, settings.opening_words, kind)
    return {"similarity": round(similarity, 3), "threshold": settings.threshold,
            "fits": None if utterance_index is None else similarity >= settings.threshold,
            "utterance_index": utterance_index}
