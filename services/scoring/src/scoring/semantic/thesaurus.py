"""How clinicians word their questions about the standard elements of a history: built-in
knowledge that a teacher's few phrases lack.

A teacher writes "Aggravating and relieving factors" and three phrases; a doctor asks "what
makes it better or worse?". The thesaurus (``data/history_topics.json``) lists the topics of a
history (onset, severity, treatments tried, smoking, ...) with the many everyday wordings of each
question. It was written blind, from clinical knowledge alone, by someone who never saw the
evaluation's consultations, labels or rubrics (see ``evaluation/key_questions/README.md``).

A topic is linked to a key question when what the topic is about (the mean of its name and
wordings) is at least :data:`LINK_THRESHOLD` near what the question is about (the mean of its
phrases, label and label items), or that near its label or one of its label's items; a topic
may serve several questions. The linked topics' wordings then serve the question as extra queries, weighed by the
decision model as evidence of their own (``expansion``, with its margin over the rubric's other
questions), never as the teacher's words: they never decide on their own.

A presentation does not ask, it reports ("she rates the pain 6 out of 10", "he denies fever"), so
each topic also lists the ways a student *states* it in an oral case presentation (``states``,
pertinent negatives included; written blind in the same way). A grading uses the wordings of its
submission's kind (:meth:`Topic.wordings`): the questions of an interview, the statements of a
presentation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import numpy as np

from medgrade_shared.models.rubric import SubmissionKind
from scoring.semantic.model import Encoder

TOPICS_FILE = "history_topics.json"
LINK_THRESHOLD = 0.55


@dataclass(frozen=True)
class Topic:
    id: str
    name: str
    asks: tuple[str, ...]  # how an interviewer asks about it
    states: tuple[str, ...]  # how a presentation reports it

    def wordings(self, kind: SubmissionKind) -> tuple[str, ...]:
        return self.states if kind == "presentation" else self.asks


@lru_cache(maxsize=1)
def load_topics() -> tuple[Topic, ...]:
    """The shipped thesaurus (package data), read once per process."""
    document = json.loads(files("scoring.semantic.data").joinpath(TOPICS_FILE).read_text(encoding="utf-8"))
    return tuple(Topic(t["id"], t["name"], tuple(t["asks"]), tuple(t["states"])) for t in document["topics"])


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(np.linalg.norm(rows, axis=-1, keepdims=True), 1e-12)


@dataclass(frozen=True)
class TopicEmbeddings:
    """The thesaurus under one model, with the wordings of one submission kind: a unit row per
    wording, and per topic the unit mean of its name and wordings (what the topic is about,
    steadier than the name alone)."""

    topics: tuple[Topic, ...]
    kind: SubmissionKind
    centroids: np.ndarray
    wordings: np.ndarray
    wording_topic: np.ndarray  # the topic (row of ``centroids``) of each wording


def embed_topics(encoder: Encoder, topics: tuple[Topic, ...], kind: SubmissionKind) -> TopicEmbeddings:
    wordings = [wording for topic in topics for wording in topic.wordings(kind)]
    rows = encoder.encode([topic.name for topic in topics] + wordings)
    names, wording_rows = rows[:len(topics)], rows[len(topics):]
    wording_topic = np.asarray([number for number, topic in enumerate(topics) for _ in topic.wordings(kind)],
                               dtype=int)
    centroids = _unit(np.stack([np.vstack([names[n:n + 1], wording_rows[wording_topic == n]]).mean(axis=0)
                                for n in range(len(topics))]))
    return TopicEmbeddings(topics, kind, centroids, wording_rows, wording_topic)


def link(text_embeddings: np.ndarray, item_embeddings: np.ndarray, topics: TopicEmbeddings,
         threshold: float = LINK_THRESHOLD, always_nearest: bool = False) -> list[int]:
    """The topics linked to one key question, given the embeddings of all its texts and of its
    label and the label's items: those whose mean is at least ``threshold`` near the mean of the
    question's texts, or near the label or one item ("Red flags (fever, hot joint)" links the
    fever topic through its item). With ``always_nearest`` the nearest topic is linked even below
    the threshold ("Past history (diabetes, gout, previous injuries)" to past medical history):
    a presentation's statements reach a question through the thesaurus' statements, since the
    rubric's phrases are questions, so every question needs its bridge (measured in
    ``evaluation/presentations/README.md``; in an interview the extra links cost specificity)."""
    if not len(text_embeddings) or not len(topics.topics):
        return []
    nearness = topics.centroids @ _unit(text_embeddings.mean(axis=0))
    if len(item_embeddings):
        nearness = np.maximum(nearness, (topics.centroids @ item_embeddings.T).max(axis=1))
    linked = set(np.flatnonzero(nearness >= threshold).tolist())
    if always_nearest:
        linked.add(int(np.argmax(nearness)))
    return sorted(int(t) for t in linked)
