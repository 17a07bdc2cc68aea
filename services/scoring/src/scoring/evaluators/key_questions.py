"""Key questions: did the student ask what the rubric requires?

score = sum of weights of asked questions / sum of weights of all questions, where a question
weighs ``critical_weight`` when critical and ``noncritical_weight`` otherwise. A rubric
without key questions scores 1.0 and says so in the details (the approval gate refuses such
rubrics).

Matching (matcher ``hybrid``, version :data:`MATCHER_VERSION`) looks at interviewer sentences
only (:mod:`scoring.semantic.sentences`); patient lines never ask. For each key question and
each sentence:

- *lexical*: the sentence contains one of the question's phrases or its label (word-bounded,
  after normalisation; a compound term such as "blood pressure" or "hay fever" is one word, so
  "pressure" or "fever" alone does not match inside it), or states a duration and the question
  is an onset/duration one, or asks when it started ("when it started", "that's when it first
  started?") and one of the question's phrases does too, or is a question that asks outright
  about the key question's topic (family, allergy, smoking, alcohol);
- *semantic*: cosine similarity between the sentence and the closest of the question's phrases
  and label (all-MiniLM-L6-v2 embeddings, :mod:`scoring.semantic.model`); it counts from
  :data:`SEMANTIC_THRESHOLD`, and only for the key questions the sentence is nearest to (within
  :data:`SEMANTIC_MARGIN` of its best similarity to any key question of the rubric): "where
  is the pain exactly?" is close to "describe the pain" but closer to the site;
- *read-back* (turn context, also reported as ``semantic``): a restating sentence ("so you're
  feeling your heart more than normal?", or any statement) reads back the content words it
  repeats from the patient's last turn ("heart"); those words, embedded on their own, count
  under the same threshold and margin. The sentence is the one cited, never the patient's line;
- the sentence is skipped when it asks nothing (an explanation, plan or advice that is not a
  question, also when it ends with a check-in tag such as ", OK?"), when it is a bare echo (a
  statement whose content words all repeat the patient's last turn, "Some ringing in your ear.",
  unless it continues a read-back begun earlier in the same turn) or when its subject does not fit
  (the family vs. the patient; an allergy, smoking or alcohol vs. another topic), see
  :mod:`scoring.evaluators.cues`.

A question is asked when some sentence has lexical or semantic evidence; the FIRST such
sentence is cited (``utterance_index``, ``citation``), with the phrase that matched best,
the ``method`` (``lexical``, ``semantic`` or ``both``), the ``similarity`` of the cited
sentence, a ``confidence`` (asked semantically: the similarity; asked lexically: T + (1 - T) *
similarity, with T = :data:`SEMANTIC_THRESHOLD`, so never below T; not asked: one minus the
best similarity of any candidate sentence; asked only through a read-back: the read-back's
similarity) and ``confirmation: true`` when the sentence restates a fact the patient had
volunteered. Interviewer sentences and their read-backs are embedded in one batched call per
request; the rubric's phrase embeddings come from a cache keyed by rubric version and
content (:mod:`scoring.semantic.index`). Thresholds are fixed and inference is deterministic:
the same input gives the same decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from medgrade_shared.errors import ApiError
from medgrade_shared.models.rubric import KeyQuestion, Rubric
from medgrade_shared.models.scoring import ComponentResult
from medgrade_shared.models.transcript import ParsedTranscript
from medgrade_shared.text import normalise
from scoring.evaluators import cues
from scoring.evaluators.feedback import FeedbackCollector
from scoring.evaluators.matching import cite
from scoring.evaluators.scores import fraction
from scoring.semantic.index import QuestionPhrases, phrase_index
from scoring.semantic.model import Encoder, load_encoder
from scoring.semantic.sentences import Sentence, interviewer_sentences

MATCHER = "hybrid"
MATCHER_VERSION = "3"
SEMANTIC_THRESHOLD = 0.70
SEMANTIC_MARGIN = 0.05


def _counts(similarity: float, nearest: float) -> bool:
    return similarity >= SEMANTIC_THRESHOLD and similarity >= nearest - SEMANTIC_MARGIN


@dataclass(frozen=True)
class Evidence:
    sentence: Sentence
    similarity: float
    nearest: float  # the sentence's highest similarity to any key question of the rubric
    phrase: str
    lexical: bool
    echo: float = 0.0  # the same for the words it reads back from the patient's last turn (0: none)
    echo_nearest: float = 0.0

    @property
    def semantic(self) -> bool:
        return _counts(self.similarity, self.nearest) or _counts(self.echo, self.echo_nearest)

    @property
    def confidence(self) -> float:
        if self.lexical:
            return SEMANTIC_THRESHOLD + (1 - SEMANTIC_THRESHOLD) * max(0.0, self.similarity)
        return self.similarity if _counts(self.similarity, self.nearest) else self.echo

    @property
    def method(self) -> str:
        return "both" if self.lexical and self.semantic else "lexical" if self.lexical else "semantic"


@lru_cache(maxsize=8192)
def _needle(phrase: str) -> str:
    """A phrase's compound-masked normal form, matched against the masked sentence."""
    return cues.mask_compounds(normalise(phrase))


def _lexical_phrase(question: KeyQuestion, texts: tuple[str, ...], sentence: Sentence, masked: str,
                    duration: bool, onset: bool, topics: frozenset[str]) -> str | None:
    for text in texts:
        needle = _needle(text)
        if needle != " " and needle in masked:
            return text
    if duration and cues.states_duration(sentence.normalised):
        return question.label
    if onset and cues.asks_onset(sentence.normalised):
        return question.label
    if not cues.asked_topics(sentence.text, sentence.normalised).isdisjoint(topics):
        return question.label
    return None


def _first_evidence(question: KeyQuestion, phrases: QuestionPhrases, sentences: list[Sentence], masked: list[str],
                    similarities: np.ndarray, nearest: np.ndarray, echo_similarities: np.ndarray,
                    echo_nearest: np.ndarray) -> tuple[Evidence | None, float]:
    """The first sentence that asks the question, and the best similarity seen (for 'not asked')."""
    topics, duration = cues.question_topics(question), cues.is_duration_question(question)
    onset = cues.is_onset_question(question)
    best = 0.0
    for row, sentence in enumerate(sentences):
        if not cues.subject_fits(cues.sentence_topics(sentence.normalised), topics):
            continue
        column = int(np.argmax(similarities[row]))
        lexical = _lexical_phrase(question, phrases.texts, sentence, masked[row], duration, onset, topics)
        evidence = Evidence(sentence, float(similarities[row, column]), float(nearest[row]),
                            lexical or phrases.texts[column], lexical is not None, float(echo_similarities[row]),
                            float(echo_nearest[row]))
        if evidence.lexical or evidence.semantic:
            return evidence, evidence.similarity
        best = max(best, evidence.similarity)
    return None, best


@dataclass(frozen=True)
class PatientWords:
    """Content words of the patient's speech, keyed by interviewer utterance index: of the last
    patient turn before it (read-backs) and of everything the patient said before it
    (confirmations). Built in one pass, each patient line normalised once."""

    last_turn: dict[int, set[str]]
    so_far: dict[int, frozenset[str]]


def _patient_words(parsed: ParsedTranscript) -> PatientWords:
    last_turn: dict[int, set[str]] = {}
    so_far: dict[int, frozenset[str]] = {}
    words: set[str] = set()
    everything: frozenset[str] = frozenset()
    for utterance in sorted(parsed.utterances, key=lambda u: u.index):
        if utterance.role == "patient":
            words = cues.content_words(normalise(utterance.match_text))
            everything = everything | words
        else:
            last_turn[utterance.index] = words
            so_far[utterance.index] = everything
    return PatientWords(last_turn, so_far)


def _without_bare_echoes(sentences: list[Sentence], patient_turns: dict[int, set[str]]) -> list[Sentence]:
    """Drops acknowledgements that only repeat the patient, unless they continue a read-back."""
    kept: list[Sentence] = []
    read_back: set[int] = set()  # utterances with a restating sentence so far
    for sentence in sentences:
        index = sentence.utterance.index
        if cues.is_restating(sentence.normalised):
            read_back.add(index)
        if index in read_back or not cues.is_bare_echo(sentence.text, sentence.normalised,
                                                        patient_turns.get(index, set())):
            kept.append(sentence)
    return kept


def _echo_similarities(echoes: list[str], echoed: list[str], embeddings: np.ndarray,
                       phrases: QuestionPhrases) -> np.ndarray:
    """Per sentence, the best similarity of its read-back to the question's phrases (0 when none)."""
    if not echoed:
        return np.zeros(len(echoes))
    best = dict(zip(echoed, (embeddings @ phrases.embeddings.T).max(axis=1).tolist(), strict=True))
    return np.array([best[echo] if echo else 0.0 for echo in echoes])


def _nearest(similarities: list[np.ndarray], count: int) -> np.ndarray:
    return np.max([matrix.max(axis=1) for matrix in similarities], axis=0) if similarities and count \
        else np.zeros(count)


def _question_details(question: KeyQuestion, evidence: Evidence | None, best: float,
                      patient: PatientWords) -> dict[str, Any]:
    if evidence is None:
        return {"id": question.id, "anchor": question.anchor, "label": question.label, "critical": question.critical,
                "asked": False, "confidence": round(min(1.0, 1.0 - best), 3), "matched_phrase": None,
                "method": None, "similarity": None, "confirmation": False, "utterance_index": None,
                "citation": None}
    sentence = evidence.sentence
    confirmation = cues.is_confirmation(sentence.text, sentence.normalised,
                                        patient.so_far.get(sentence.utterance.index, frozenset()))
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
    patient = _patient_words(parsed)
    patient_turns = patient.last_turn
    sentences = _without_bare_echoes(sentences, patient_turns)
    index = phrase_index.get(rubric, encoder) if rubric.key_questions else []
    # the fact each restating sentence reads back: the words it repeats from the patient's last turn
    echoes = [cues.echoed_words(s.text, s.normalised, patient_turns.get(s.utterance.index, set()))
              for s in sentences] if rubric.key_questions else []
    echoed = sorted({echo for echo in echoes if echo})
    # one batched call: the sentences, then each distinct read-back
    embeddings = encoder.encode([s.content for s in sentences] + echoed) if rubric.key_questions else None

    masked = [cues.mask_compounds(s.normalised) for s in sentences]  # once per sentence, not per question
    asked_weight = 0.0
    questions = []
    similarities = [embeddings[:len(sentences)] @ phrases.embeddings.T for phrases in index]
    nearest = _nearest(similarities, len(sentences))
    echo_similarities = [_echo_similarities(echoes, echoed, embeddings[len(sentences):], phrases)
                         for phrases in index]
    echo_nearest = _nearest([column[:, None] for column in echo_similarities], len(sentences))
    for question, weight, phrases, matrix, echo in zip(rubric.key_questions, weights, index, similarities,
                                                       echo_similarities, strict=True):
        evidence, best = _first_evidence(question, phrases, sentences, masked, matrix, nearest, echo, echo_nearest)
        if evidence is not None:
            asked_weight += weight
            feedback.success(question.anchor, f"Asked about {question.label}.", cite(evidence.sentence.utterance))
        else:
            severity = "critical" if question.critical else "minor"
            feedback.violation(question.anchor, f"Did not ask about {question.label}.", severity)
        questions.append(_question_details(question, evidence, best, patient))

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
