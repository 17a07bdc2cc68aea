"""Key questions: did the student ask what the rubric requires?

score = sum of weights of asked questions / sum of weights of all questions, where a question
weighs ``critical_weight`` when critical and ``noncritical_weight`` otherwise. A rubric
without key questions scores 1.0 and says so in the details (the approval gate refuses such
rubrics).

Matching (matcher ``hybrid``, version :data:`MATCHER_VERSION`) looks at interviewer sentences
only (:mod:`scoring.semantic.sentences`); patient lines never ask. For each key question and
each sentence:

- *lexical*: the sentence contains one of the question's phrases or its label (word-bounded,
  after normalisation), or states a duration and the question is an onset/duration one, or is
  a question that asks outright about the key question's topic (family, allergy, smoking,
  alcohol);
- *semantic*: cosine similarity between the sentence and the closest of the question's phrases
  and label (all-MiniLM-L6-v2 embeddings, :mod:`scoring.semantic.model`); it counts from
  :data:`SEMANTIC_THRESHOLD`, and only for the key questions the sentence is nearest to (within
  :data:`SEMANTIC_MARGIN` of its best similarity to any key question of the rubric): "where
  is the pain exactly?" is close to "describe the pain" but closer to the site;
- the sentence is skipped when it asks nothing (an explanation, plan or advice that is not a
  question) or its subject does not fit (the family vs. the patient; an allergy, smoking or
  alcohol vs. another topic), see :mod:`scoring.evaluators.cues`.

A question is asked when some sentence has lexical or semantic evidence; the FIRST such
sentence is cited (``utterance_index``, ``citation``), with the phrase that matched best,
the ``method`` (``lexical``, ``semantic`` or ``both``), the ``similarity`` of the cited
sentence, a ``confidence`` (asked semantically: the similarity; asked lexically: T + (1 - T) *
similarity, with T = :data:`SEMANTIC_THRESHOLD`, so never below T; not asked: one minus the
best similarity of any candidate sentence) and ``confirmation: true`` when the sentence
restates a fact the patient had volunteered. Interviewer sentences are embedded in one batched
call per request; the rubric's phrase embeddings come from a cache keyed by rubric version and
content (:mod:`scoring.semantic.index`). Thresholds are fixed and inference is deterministic:
the same input gives the same decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from medgrade_shared.errors import ApiError
from medgrade_shared.models.rubric import KeyQuestion, Rubric
from medgrade_shared.models.scoring import ComponentResult
from medgrade_shared.models.transcript import ParsedTranscript
from medgrade_shared.text import contains_phrase, normalise
from scoring.evaluators import cues
from scoring.evaluators.feedback import FeedbackCollector
from scoring.evaluators.matching import cite
from scoring.evaluators.scores import fraction
from scoring.semantic.index import QuestionPhrases, phrase_index
from scoring.semantic.model import Encoder, load_encoder
from scoring.semantic.sentences import Sentence, interviewer_sentences

MATCHER = "hybrid"
MATCHER_VERSION = "2"
SEMANTIC_THRESHOLD = 0.70
SEMANTIC_MARGIN = 0.05


@dataclass(frozen=True)
class Evidence:
    sentence: Sentence
    similarity: float
    nearest: float  # the sentence's highest similarity to any key question of the rubric
    phrase: str
    lexical: bool

    @property
    def semantic(self) -> bool:
        return self.similarity >= SEMANTIC_THRESHOLD and self.similarity >= self.nearest - SEMANTIC_MARGIN

    @property
    def confidence(self) -> float:
        if self.lexical:
            return SEMANTIC_THRESHOLD + (1 - SEMANTIC_THRESHOLD) * max(0.0, self.similarity)
        return self.similarity

    @property
    def method(self) -> str:
        return "both" if self.lexical and self.semantic else "lexical" if self.lexical else "semantic"


def _lexical_phrase(question: KeyQuestion, texts: tuple[str, ...], sentence: Sentence, duration: bool,
                    topics: frozenset[str]) -> str | None:
    for text in texts:
        if contains_phrase(sentence.normalised, text):
            return text
    if duration and cues.states_duration(sentence.normalised):
        return question.label
    if not cues.asked_topics(sentence.text, sentence.normalised).isdisjoint(topics):
        return question.label
    return None


def _first_evidence(question: KeyQuestion, phrases: QuestionPhrases, sentences: list[Sentence],
                    similarities: np.ndarray, nearest: np.ndarray) -> tuple[Evidence | None, float]:
    """The first sentence that asks the question, and the best similarity seen (for 'not asked')."""
    topics, duration = cues.question_topics(question), cues.is_duration_question(question)
    best = 0.0
    for row, sentence in enumerate(sentences):
        if not cues.subject_fits(cues.sentence_topics(sentence.normalised), topics):
            continue
        column = int(np.argmax(similarities[row]))
        lexical = _lexical_phrase(question, phrases.texts, sentence, duration, topics)
        evidence = Evidence(sentence, float(similarities[row, column]), float(nearest[row]),
                            lexical or phrases.texts[column], lexical is not None)
        if evidence.lexical or evidence.semantic:
            return evidence, evidence.similarity
        best = max(best, evidence.similarity)
    return None, best


def _patient_words_before(parsed: ParsedTranscript, index: int) -> set[str]:
    words: set[str] = set()
    for utterance in parsed.utterances:
        if utterance.role == "patient" and utterance.index < index:
            words |= cues.content_words(normalise(utterance.match_text))
    return words


def _question_details(question: KeyQuestion, evidence: Evidence | None, best: float,
                      parsed: ParsedTranscript) -> dict[str, Any]:
    if evidence is None:
        return {"id": question.id, "anchor": question.anchor, "label": question.label, "critical": question.critical,
                "asked": False, "confidence": round(min(1.0, 1.0 - best), 3), "matched_phrase": None,
                "method": None, "similarity": None, "confirmation": False, "utterance_index": None,
                "citation": None}
    sentence = evidence.sentence
    confirmation = cues.is_confirmation(sentence.text, sentence.normalised,
                                        _patient_words_before(parsed, sentence.utterance.index))
    return {"id": question.id, "anchor": question.anchor, "label": question.label, "critical": question.critical,
            "asked": True, "confidence": round(evidence.confidence, 3), "matched_phrase": evidence.phrase,
            "method": evidence.method, "similarity": round(evidence.similarity, 3), "confirmation": confirmation,
            "utterance_index": sentence.utterance.index, "citation": cite(sentence.utterance)}


def score_key_questions(rubric: Rubric, parsed: ParsedTranscript, encoder: Encoder | None = None) -> ComponentResult:
    """``encoder`` is the service's loaded model; in-process callers may omit it and get the
    process-wide one (loaded on first use)."""
    policy = rubric.key_questions_policy
    weights = [policy.critical_weight if q.critical else policy.noncritical_weight for q in rubric.key_questions]
    if rubric.key_questions and sum(weights) == 0:
        raise ApiError(422, "invalid_rubric", "key question weights sum to zero; set critical_weight "
                       "or noncritical_weight above zero")
    encoder = encoder or load_encoder()
    feedback = FeedbackCollector(rubric.rubric_id, "key_questions")
    sentences = [s for s in interviewer_sentences(parsed) if not cues.asks_nothing(s.text, s.normalised)]
    index = phrase_index.get(rubric, encoder) if rubric.key_questions else []
    embeddings = encoder.encode([s.content for s in sentences]) if rubric.key_questions else None

    asked_weight = 0.0
    questions = []
    similarities = [embeddings @ phrases.embeddings.T for phrases in index]
    nearest = np.max([matrix.max(axis=1) for matrix in similarities], axis=0) if similarities and sentences \
        else np.zeros(len(sentences))
    for question, weight, phrases, matrix in zip(rubric.key_questions, weights, index, similarities, strict=True):
        evidence, best = _first_evidence(question, phrases, sentences, matrix, nearest)
        if evidence is not None:
            asked_weight += weight
            feedback.success(question.anchor, f"Asked about {question.label}.", cite(evidence.sentence.utterance))
        else:
            severity = "critical" if question.critical else "minor"
            feedback.violation(question.anchor, f"Did not ask about {question.label}.", severity)
        questions.append(_question_details(question, evidence, best, parsed))

    coverage = fraction(asked_weight, sum(weights), when_empty=1.0)
    details: dict[str, Any] = {
        "matcher": MATCHER,
        "matcher_version": MATCHER_VERSION,
        "model": encoder.name,
        "model_version": encoder.version,
        "semantic_threshold": SEMANTIC_THRESHOLD,
        "semantic_margin": SEMANTIC_MARGIN,
        "coverage": coverage,
        "coverage_threshold": policy.coverage_threshold,
        "meets_threshold": coverage >= policy.coverage_threshold,
        "questions": questions,
    }
    if not rubric.key_questions:
        details["note"] = "the rubric defines no key questions; the component scores 1.0"
    return feedback.result(coverage, details)
