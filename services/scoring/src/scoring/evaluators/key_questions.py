"""Key questions: did the student ask what the rubric requires?

score = sum of weights of asked questions / sum of weights of all questions, where a question
weighs ``critical_weight`` when critical and ``noncritical_weight`` otherwise. A rubric that
weighs key questions lists at least one, and their weights do not all come to zero (the rubric
checks refuse it otherwise); one that weighs them 0 and lists none is not assessed.

Matching (matcher ``hybrid``, version :data:`MATCHER_VERSION`) looks at interviewer sentences
only (:mod:`scoring.semantic.sentences`); patient lines never ask. A question is matched
against its phrases, its label and the items its label lists (:func:`scoring.semantic.index.
question_texts`): a teacher's label ("Red flags (fever, hot red joint, unable to bear weight)")
says as much as the few phrases below it. For each sentence and question the matcher gathers
general evidence (:data:`scoring.evaluators.decision.FEATURES`):

- *semantic*: cosine similarity (all-MiniLM-L6-v2, :mod:`scoring.semantic.model`) of the sentence,
  of each item of a list question ("any nausea, vomiting, tingling or weakness?") and of the
  patient's words that a restating sentence reads back ("so you're feeling your heart more than
  normal?" reads back "heart") to the question's texts, each with its margin over the best
  similarity to any other question of the rubric ("where is the pain exactly?" is close to
  "describe the pain" but closer to the site). In an interview the sentence counts in its own
  words or in its question frame, whichever is nearer: the complaint named in the rubric's title
  said as "it" (:mod:`scoring.evaluators.framing`: "what have you taken for your ankle pain?" as
  "what have you taken for it?"), since the complaint's name, in nearly every question, says
  little about which one is asked;
- *thesaurus*: the cosine of the sentence to the everyday wordings of the history topics linked
  to the question (:mod:`scoring.semantic.thesaurus`: "what makes it better or worse?" for
  "Aggravating and relieving factors"), counted when the sentence's nearest topic is one of them,
  with its margin over the rubric's other questions: what a teacher's few phrases leave out;
- *lexical*: a phrase or the label word for word (after normalisation; a compound term such as
  "blood pressure" or "hay fever" is one word, :mod:`scoring.evaluators.cues`), a phrase, the
  label or a label item stem for stem ("wheezing" for "wheeze", :mod:`scoring.evaluators.stems`),
  the share of a text's content stems the sentence holds, and the cues (a sentence about how long
  the complaint has lasted for an onset/duration question, never a number of days alone; "when did
  it start" for a question phrased that way; a question asking outright about the family, an
  allergy, smoking or alcohol);
- the form: whether the sentence is a question.

A phrase or the label found word for word, or a cue, in a question asks on its own (in a statement,
an examination finding such as "you don't have a fever" or an explanation, it is evidence the model
weighs). Otherwise a calibrated
logistic model (:mod:`scoring.evaluators.decision`, fitted under leave-one-complaint-out cross-
validation) turns the evidence into P(asks); a sentence asks the question when P is at least the
model's threshold and the question is the sentence's nearest of the rubric by some evidence
(:func:`scoring.evaluators.decision.nearest`). Before that, a sentence is set aside when it asks
nothing (an explanation, plan or advice that is not a question, also when it ends with a check-in
tag such as ", OK?"), when it is a bare echo (a statement whose content words all repeat the
patient's last turn, "Some ringing in your ear.", unless it continues a read-back begun earlier in
the same turn), and, for one question, when its subject does not fit (the family vs. the patient;
an allergy, smoking or alcohol vs. another topic), see :mod:`scoring.evaluators.cues`.

The FIRST asking sentence is cited (``utterance_index``, ``citation``), with the text that matched
best (``matched_phrase``: the phrase found word or stem for stem, else the most similar text,
which may be a thesaurus wording), the ``method`` (``lexical`` when only the lexical evidence
carries the decision, ``semantic`` when there is none, ``both`` when the meaning alone would also
have decided), its ``similarity``, a ``confidence`` (asked: P of the cited sentence, at least the
measured precision of word-for-word matches where one decided; not asked: 1 - the highest P of any
sentence) and ``confirmation: true`` when the sentence restates a fact the patient had
volunteered.
Interviewer sentences, their list items, their read-backs and their frames are embedded in one
batched call per request; the rubric's text embeddings come from a cache keyed by rubric version and content
(:mod:`scoring.semantic.index`). Inference is deterministic: the same input gives the same
decision.

For the grade's review, each question says whether it is ``uncertain`` (its decision lies
within ``UNCERTAIN_BAND`` of the threshold: it could as well have gone the other way), and the
details give ``uncertain_share``, the share of the question weight so decided, and
``rubric_fit``, whether the consultation is about what the rubric is for
(:mod:`scoring.evaluators.rubric_fit`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from medgrade_shared.deadline import check as check_deadline
from medgrade_shared.formulas import key_question_coverage, question_weight
from medgrade_shared.models.rubric import KeyQuestion, Rubric, SubmissionKind
from medgrade_shared.models.scoring import ComponentResult
from medgrade_shared.models.transcript import ParsedTranscript
from medgrade_shared.questions import is_question
from medgrade_shared.text import normalise
from scoring.evaluators import cues
from scoring.evaluators.decision import COLUMN, FEATURES, DecisionModel, load_decision_model
from scoring.evaluators.feedback import FeedbackCollector, assessable
from scoring.evaluators.framing import complaint_stems, framed
from scoring.evaluators.matching import cite
from scoring.evaluators.rubric_fit import rubric_fit
from scoring.evaluators.stems import contains_stems, stems
from scoring.semantic.index import QuestionPhrases, phrase_index
from scoring.semantic.model import Encoder, load_encoder
from scoring.semantic.sentences import Sentence, interviewer_sentences, list_items
from scoring.semantic.thesaurus import TopicEmbeddings

MATCHER = "hybrid"
MATCHER_VERSION = "8"
UNCERTAIN_BAND = 0.1  # of probability, either side of the decision threshold


@dataclass(frozen=True)
class _Text:
    """One of a question's texts in the lexical forms the match needs."""

    text: str
    masked: str  # normalised, compounds as one word
    stems: str
    content_stems: frozenset[str]
    exact: bool  # a phrase or the label: matched word for word too (a label item only by stems)


@lru_cache(maxsize=8192)
def _text(text: str, exact: bool) -> _Text:
    masked = cues.mask_compounds(normalise(text))
    return _Text(text, masked, stems(masked), frozenset(stems(" ".join(cues.content_words(masked))).split()), exact)


def _question_lexicon(question: KeyQuestion, texts: tuple[str, ...]) -> list[_Text]:
    exact = {*question.phrases, question.label}
    return [_text(text, text in exact) for text in texts]


@dataclass(frozen=True)
class _SentenceForms:
    masked: str
    stems: str
    stem_set: frozenset[str]
    question: bool


def _forms(sentence: Sentence) -> _SentenceForms:
    masked = cues.mask_compounds(sentence.normalised)
    sentence_stems = stems(masked)
    return _SentenceForms(masked, sentence_stems, frozenset(sentence_stems.split()), is_question(sentence.text))


@dataclass(frozen=True)
class QuestionEvidence:
    """One key question against the candidate sentences: a feature row per sentence (columns
    :data:`FEATURES`), the text each row matched best and the sentences a subject veto keeps."""

    question: KeyQuestion
    sentences: list[Sentence]
    features: np.ndarray
    matched: list[str]
    similarity: np.ndarray  # the larger of the sentence's and its best item's similarity
    fits: np.ndarray  # bool: the sentence's subject fits the question


def _lexical(question: KeyQuestion, lexicon: list[_Text], sentence: Sentence, forms: _SentenceForms,
             topics: frozenset[str], duration: bool, onset: bool) -> tuple[float, float, float, float, str | None]:
    """(phrase, stem, overlap, cue, the text found) for one sentence."""
    phrase = stem = overlap = 0.0
    found: str | None = None
    for entry in lexicon:
        if entry.exact and entry.masked != " " and entry.masked in forms.masked:
            phrase = stem = 1.0
            found = found or entry.text
        elif contains_stems(forms.stems, entry.stems):
            stem = 1.0
            found = found or entry.text
        if entry.content_stems:  # one shared word is weak evidence: a share counts at least two words
            overlap = max(overlap, len(entry.content_stems & forms.stem_set) / max(2, len(entry.content_stems)))
    cue = 1.0 if ((duration and cues.asks_duration(sentence.normalised))
                  or (onset and cues.asks_onset(sentence.normalised))
                  or not cues.asked_topics(sentence.text, sentence.normalised).isdisjoint(topics)) else 0.0
    if cue and found is None:
        found = question.label
    return phrase, stem, overlap, cue, found


def _margins(values: list[np.ndarray], evidence: list[np.ndarray] | None = None) -> list[np.ndarray]:
    """Per question, each row's value minus the best ``evidence`` (by default the values
    themselves) of any other question of the rubric."""
    if len(values) < 2:
        return [np.zeros_like(value) for value in values]
    stacked = np.stack(values if evidence is None else evidence)  # questions x rows
    order = np.sort(stacked, axis=0)
    best, second = order[-1], order[-2]
    return [value - np.where(own >= best, second, best) for value, own in zip(values, stacked, strict=True)]


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


def _nearest_topics(sentence_rows: np.ndarray, topics: TopicEmbeddings) -> np.ndarray:
    """Per sentence, the thesaurus topic it is about: in an interview the topic whose mean is
    nearest (steadier for a short question), in a presentation the topic of its nearest statement
    (a reported fact, "she rates it 6 out of 10", sits close to one wording and the mean blurs it;
    chosen under cross-validation, ``evaluation/presentations/README.md``)."""
    if not len(sentence_rows) or not len(topics.wordings):
        return np.full(len(sentence_rows), -1)
    if topics.kind == "presentation":
        return topics.wording_topic[(sentence_rows @ topics.wordings.T).argmax(axis=1)]
    return (sentence_rows @ topics.centroids.T).argmax(axis=1)


def _expansion(phrases: QuestionPhrases, sentence_rows: np.ndarray,
               nearest_topic: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per sentence, the best cosine to the thesaurus wordings linked to the question, counted only
    when the sentence's nearest topic is one of the question's ("did that help?" is nearest to
    treatments tried, not to every question that a generic wording resembles); 0 otherwise. Also
    the column of that wording in ``phrases.expansions``."""
    zeros = np.zeros(len(sentence_rows))
    if not len(phrases.expansions) or not len(sentence_rows):
        return zeros, zeros.astype(int)
    matrix = sentence_rows @ phrases.expansion_embeddings.T
    linked = np.isin(nearest_topic, phrases.expansion_topic_ids)
    return np.where(linked, matrix.max(axis=1), 0.0), matrix.argmax(axis=1)


def _best_per_sentence(groups: list[tuple[str, ...]], lookup: dict[str, int], matrix: np.ndarray,
                       fallback: np.ndarray, fallback_column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per sentence, the best similarity (and its text column) over the texts of its group (its
    list items, or its read-back); the fallback where it has none."""
    if not matrix.size:
        return fallback.copy(), fallback_column.copy()
    best, column = matrix.max(axis=1), matrix.argmax(axis=1)
    values, columns = fallback.copy(), fallback_column.copy()
    for row, group in enumerate(groups):
        if group:
            rows = [lookup[text] for text in group]
            pick = rows[int(np.argmax(best[rows]))]
            values[row], columns[row] = best[pick], column[pick]
    return values, columns


def _candidates(parsed: ParsedTranscript, patient: PatientWords, kind: SubmissionKind) -> list[Sentence]:
    """The sentences that may ask (an interview: not an explanation, plan or bare echo) or state (a
    presentation: every sentence of the student's report) a key question."""
    sentences = interviewer_sentences(parsed)
    if kind == "presentation":
        return sentences
    sentences = [s for s in sentences if not cues.asks_nothing(s.text, s.normalised)]
    return _without_bare_echoes(sentences, patient.last_turn)


def question_evidence(rubric: Rubric, parsed: ParsedTranscript, encoder: Encoder, patient: PatientWords | None = None,
                      kind: SubmissionKind = "interview") -> list[QuestionEvidence]:
    """The evidence of every candidate sentence for every key question, in rubric order: what the
    decision model weighs (and what ``benchmarks/eval_key_questions.py --fit`` learns from).
    ``patient`` is the transcript's :class:`PatientWords` when the caller has built them."""
    if not rubric.key_questions:
        return []
    patient = patient or _patient_words(parsed)
    sentences = _candidates(parsed, patient, kind)
    index = phrase_index.get(rubric, encoder, kind)
    # the items of a list, each matched on its own: in an interview a list question's ("any nausea,
    # vomiting or fever?"; a listing statement there is an explanation or a read-back), in a
    # presentation any sentence's ("she denies nausea, vomiting or fever")
    items = [list_items(s.content) if kind == "presentation" or is_question(s.text) else () for s in sentences]
    # the fact each restating sentence reads back: the words it repeats from the patient's last turn
    echoes = [cues.echoed_words(s.text, s.normalised, patient.last_turn.get(s.utterance.index, set()))
              for s in sentences]
    # an interview sentence's question frame: the complaint's mentions as "it" (:mod:`scoring.evaluators.framing`;
    # a presentation's sentences state facts about the complaint, and its name is part of what they state)
    complaint = complaint_stems(rubric.title or "") if kind == "interview" else frozenset()
    frames = [framed(s.content, complaint) for s in sentences]
    distinct_items = sorted({item for group in items for item in group})
    distinct_echoes = sorted({echo for echo in echoes if echo})
    distinct_frames = sorted({frame for frame in frames if frame})
    # one batched call: the sentences, each distinct list item, read-back and frame
    embeddings = encoder.encode([s.content for s in sentences] + distinct_items + distinct_echoes + distinct_frames)
    sentence_rows = embeddings[:len(sentences)]
    item_rows = embeddings[len(sentences):len(sentences) + len(distinct_items)]
    echoes_end = len(sentences) + len(distinct_items) + len(distinct_echoes)
    echo_rows = embeddings[len(sentences) + len(distinct_items):echoes_end]
    frame_lookup = {text: row for row, text in enumerate(distinct_frames)}
    framed_at = np.asarray([row for row, frame in enumerate(frames) if frame], dtype=int)  # the sentences framed
    frame_rows = embeddings[echoes_end:][[frame_lookup[frames[row]] for row in framed_at]]
    item_lookup = {text: row for row, text in enumerate(distinct_items)}
    echo_lookup = {text: row for row, text in enumerate(distinct_echoes)}
    echo_groups = [(echo,) if echo else () for echo in echoes]
    zeros = np.zeros(len(sentences))

    topics = phrase_index.topics(encoder, kind)
    nearest_topic, framed_topic = _nearest_topics(sentence_rows, topics), _nearest_topics(frame_rows, topics)
    per_question = []
    for phrases in index:
        matrix = sentence_rows @ phrases.embeddings.T
        if len(framed_at):  # a framed sentence counts in the nearer of its two forms
            matrix[framed_at] = np.maximum(matrix[framed_at], frame_rows @ phrases.embeddings.T)
        similarity, column = (matrix.max(axis=1), matrix.argmax(axis=1)) if matrix.size else (zeros, zeros.astype(int))
        item, item_column = _best_per_sentence(items, item_lookup, item_rows @ phrases.embeddings.T, similarity, column)
        echo, _ = _best_per_sentence(echo_groups, echo_lookup, echo_rows @ phrases.embeddings.T, zeros,
                                     zeros.astype(int))
        expansion, expansion_column = _expansion(phrases, sentence_rows, nearest_topic)
        if len(framed_at):
            frame, frame_column = _expansion(phrases, frame_rows, framed_topic)
            better = frame > expansion[framed_at]
            expansion[framed_at] = np.where(better, frame, expansion[framed_at])
            expansion_column[framed_at] = np.where(better, frame_column, expansion_column[framed_at])
        per_question.append((phrases, similarity, column, item, item_column, echo, expansion, expansion_column))
    margins = _margins([q[1] for q in per_question])
    item_margins = _margins([q[3] for q in per_question])
    echo_margins = _margins([q[5] for q in per_question])
    expansion_margins = _margins([q[6] for q in per_question],
                                         [np.maximum.reduce([q[1], q[3], q[6]]) for q in per_question])

    forms = [_forms(s) for s in sentences]
    sentence_topics = [cues.sentence_topics(s.normalised) for s in sentences]
    evidence = []
    for number, (question, (phrases, similarity, column, item, item_column, echo, expansion,
                            expansion_column)) in enumerate(
            zip(rubric.key_questions, per_question, strict=True)):
        check_deadline("key questions (evidence)")
        topics = cues.question_topics(question)
        duration, onset = cues.is_duration_question(question), cues.is_onset_question(question)
        lexicon = _question_lexicon(question, phrases.texts)
        features = np.zeros((len(sentences), len(FEATURES)))
        matched = []
        for row, sentence in enumerate(sentences):
            phrase, stem, overlap, cue, found = _lexical(question, lexicon, sentence, forms[row], topics, duration,
                                                         onset)
            nearest = float(margins[number][row] >= 0 or item_margins[number][row] >= 0)
            features[row] = (similarity[row], margins[number][row], item[row], item_margins[number][row], nearest,
                             echo[row], echo_margins[number][row],
                             expansion[row] if expansion_margins[number][row] >= 0 else 0.0,  # nearest only
                             expansion_margins[number][row],
                             phrase, stem, overlap, cue, float(forms[row].question))
            if phrases.expansions and expansion[row] > max(similarity[row], item[row]):
                semantic_text = phrases.expansions[int(expansion_column[row])]
            else:
                semantic_text = phrases.texts[int(item_column[row] if item[row] > similarity[row] else column[row])]
            matched.append(found or semantic_text)
        fits = np.array([cues.subject_fits(topics_of, topics) for topics_of in sentence_topics], dtype=bool)
        evidence.append(QuestionEvidence(question, sentences, features, matched, np.maximum(similarity, item), fits))
    return evidence


@dataclass(frozen=True)
class _Decision:
    row: int | None  # the first asking sentence, None when not asked
    probability: np.ndarray  # confidence per sentence (0 where the subject does not fit)
    semantic: np.ndarray  # per sentence, without the lexical evidence


def _decide(evidence: QuestionEvidence, model: DecisionModel) -> _Decision:
    if not evidence.sentences:
        return _Decision(None, np.zeros(0), np.zeros(0))
    confidence = np.where(evidence.fits, model.confidence(evidence.features), 0.0)
    semantic = np.where(evidence.fits, model.semantic_probability(evidence.features), 0.0)
    asking = np.flatnonzero(evidence.fits & model.asks(evidence.features))
    return _Decision(int(asking[0]) if asking.size else None, confidence, semantic)


def _question_details(evidence: QuestionEvidence, decision: _Decision, model: DecisionModel,
                      patient: PatientWords) -> dict[str, Any]:
    question = evidence.question
    head = {"id": question.id, "anchor": question.anchor, "label": question.label, "critical": question.critical}
    if decision.row is None:
        best = float(decision.probability.max()) if decision.probability.size else 0.0
        return {**head, "asked": False, "confidence": round(1.0 - best, 3), "matched_phrase": None, "method": None,
                "similarity": None, "confirmation": False, "utterance_index": None, "sentence": None,
                "citation": None}
    row = decision.row
    sentence = evidence.sentences[row]
    lexical = bool(evidence.features[row, [COLUMN["phrase"], COLUMN["stem"], COLUMN["cue"]]].any())
    semantic = decision.semantic[row] >= model.threshold
    method = "both" if lexical and semantic else "lexical" if lexical else "semantic"
    confirmation = cues.is_confirmation(sentence.text, sentence.normalised,
                                        patient.so_far.get(sentence.utterance.index, frozenset()))
    return {**head, "asked": True, "confidence": round(float(decision.probability[row]), 3),
            "matched_phrase": evidence.matched[row], "method": method,
            "similarity": round(float(evidence.similarity[row]), 3), "confirmation": confirmation,
            "utterance_index": sentence.utterance.index, "sentence": sentence.text,
            "citation": cite(sentence.utterance)}


def _uncertain(question: dict[str, Any], model: DecisionModel) -> bool:
    """A decision whose probability lies within ``UNCERTAIN_BAND`` of the threshold: it could
    as well have gone the other way."""
    probability = question["confidence"] if question["asked"] else 1.0 - question["confidence"]
    return abs(probability - model.threshold) < UNCERTAIN_BAND


_MESSAGES: dict[SubmissionKind, tuple[str, str]] = {  # (covered, missed)
    "interview": ("Asked about {label}.", "Did not ask about {label}."),
    "presentation": ("Reported {label}.", "Did not report {label}."),
}


def score_key_questions(rubric: Rubric, parsed: ParsedTranscript, encoder: Encoder | None = None,
                        model: DecisionModel | None = None, kind: SubmissionKind = "interview") -> ComponentResult:
    """``encoder`` is the service's loaded model; in-process callers may omit it and get the
    process-wide one (loaded on first use). ``model`` is the shipped decision model of ``kind``
    unless given (the evaluation's cross-validation passes the model of each fold)."""
    feedback = FeedbackCollector(rubric.rubric_id, "key_questions")
    if not assessable(rubric, "key_questions"):
        return feedback.not_assessed()
    policy = rubric.key_questions_policy
    weights = [question_weight(q.critical, policy.critical_weight, policy.noncritical_weight)
               for q in rubric.key_questions]
    encoder = encoder or load_encoder()
    model = model or load_decision_model(kind)
    patient = _patient_words(parsed)
    covered, missed = _MESSAGES[kind]
    questions = []
    for evidence in question_evidence(rubric, parsed, encoder, patient, kind):
        decision = _decide(evidence, model)
        question = evidence.question
        if decision.row is not None:
            feedback.success(question.anchor, covered.format(label=question.label),
                             cite(evidence.sentences[decision.row].utterance))
        else:
            severity = "critical" if question.critical else "minor"
            feedback.violation(question.anchor, missed.format(label=question.label), severity)
        decided = _question_details(evidence, decision, model, patient)
        questions.append({**decided, "uncertain": _uncertain(decided, model)})

    coverage = key_question_coverage(weights, [q["asked"] for q in questions])
    details: dict[str, Any] = {
        "matcher": MATCHER,
        "matcher_version": MATCHER_VERSION,
        "kind": kind,
        "model": encoder.name,
        "model_version": encoder.version,
        "decision_model": model.digest,
        "decision_threshold": model.threshold,
        "coverage": coverage,
        "coverage_threshold": policy.coverage_threshold,
        "meets_threshold": coverage >= policy.coverage_threshold,
        "questions": questions,
        "uncertain_share": sum(w for q, w in zip(questions, weights, strict=True) if q["uncertain"]) / sum(weights),
        "rubric_fit": rubric_fit(rubric, parsed, encoder, kind),
    }
    return feedback.result(coverage, details)
