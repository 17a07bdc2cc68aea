"""Embeddings of a rubric's own texts, computed once per rubric version: the phrases of its key
questions with the wordings the history-taking thesaurus links to each (:meth:`PhraseIndex.get`,
:mod:`scoring.semantic.thesaurus`) and the texts that say what it is for
(:meth:`PhraseIndex.purposes`, read by the rubric-fit check).

A rubric version is immutable, but a caller can send an edited rubric under the same id and
version, so the cache key is (what is embedded, rubric_id, version, hash of those texts, model
version). The cache is a small LRU shared by the process (guarded by a lock: the scoring
endpoints run in a thread pool).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from medgrade_shared.models.rubric import KeyQuestion, Rubric, SubmissionKind
from scoring.semantic import thesaurus
from scoring.semantic.model import Encoder

CACHE_SIZE = 256


@dataclass(frozen=True)
class QuestionPhrases:
    """The texts a key question is matched against (:func:`question_texts`) and their
    embeddings, one unit row per text; and the thesaurus wordings linked to it (``expansions``,
    with the topic names they come from), likewise."""

    texts: tuple[str, ...]
    embeddings: np.ndarray
    expansions: tuple[str, ...]
    expansion_topic_ids: np.ndarray  # the linked topics (rows of the thesaurus)
    expansion_embeddings: np.ndarray


# A label names its scope, often as a head and a list: "Red flags (fever, hot red joint, unable to
# bear weight)", "Medications and allergies", "Locking, giving way, clicking".
_LABEL_SEPARATORS = re.compile(r"\s*(?:[(),;:/]|\band\b|\bor\b|\bvs\.?|\be\.g\.)\s*", re.IGNORECASE)


def label_items(label: str) -> tuple[str, ...]:
    """The items a label lists, each a query of its own: a teacher's label often says more than
    the few phrases below it. The whole label is not an item (it is matched as it is)."""
    items = [part.strip() for part in _LABEL_SEPARATORS.split(label)]
    items = [item for item in items if len(item) > 2 and item.lower() != label.lower()]
    return tuple(dict.fromkeys(items)) if len(items) > 1 else ()


def question_texts(question: KeyQuestion) -> tuple[str, ...]:
    """What a question is matched against: its phrases, its label and the label's items."""
    return tuple(dict.fromkeys([*question.phrases, question.label, *label_items(question.label)]))


def content_key(rubric: Rubric, encoder: Encoder, kind: str, texts: object) -> tuple[str, ...]:
    content = json.dumps(texts, ensure_ascii=False)
    return kind, rubric.rubric_id, rubric.version, hashlib.sha256(content.encode()).hexdigest(), encoder.version


def purpose_texts(rubric: Rubric) -> list[str]:
    """What the rubric says it is for: its title and description, else its question labels."""
    texts = [text for text in (rubric.title, rubric.description) if text and text.strip()]
    return texts or [q.label for q in rubric.key_questions]


class PhraseIndex:
    """LRU cache: rubric content key -> the embeddings of those rubric texts."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[str, ...], object] = OrderedDict()
        self._topics: dict[str, thesaurus.TopicEmbeddings] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, rubric: Rubric, encoder: Encoder, kind: SubmissionKind = "interview") -> list[QuestionPhrases]:
        """One QuestionPhrases per key question, in rubric order, with the thesaurus wordings of
        ``kind``."""
        texts = [question_texts(q) for q in rubric.key_questions]

        def build() -> list[QuestionPhrases]:
            flat = encoder.encode([t for group in texts for t in group])
            own, start = [], 0
            for group in texts:
                own.append(flat[start:start + len(group)])
                start += len(group)
            topics = self.topics(encoder, kind)
            # a topic is linked by what its questions are about: a rubric's phrases are questions too
            linking = self.topics(encoder, "interview")
            entry = []
            for question, group, embeddings in zip(rubric.key_questions, texts, own, strict=True):
                items = {question.label, *label_items(question.label)}
                item_rows = embeddings[[n for n, text in enumerate(group) if text in items]]
                linked = thesaurus.link(embeddings, item_rows, linking, always_nearest=kind == "presentation")
                rows = np.flatnonzero(np.isin(topics.wording_topic, linked))  # in topic order, as ``linked``
                wordings = tuple(wording for topic in linked for wording in topics.topics[topic].wordings(kind))
                entry.append(QuestionPhrases(group, embeddings, wordings, np.asarray(linked, dtype=int),
                                             topics.wordings[rows] if len(rows) else np.zeros((0, flat.shape[1]))))
            return entry

        return self._cached(content_key(rubric, encoder, f"questions:{kind}", texts),  # type: ignore[return-value]
                            build)

    def topics(self, encoder: Encoder, kind: SubmissionKind = "interview") -> thesaurus.TopicEmbeddings:
        """The thesaurus embedded by this model with the wordings of ``kind``, once per model
        version and kind (kept apart from the rubric LRU: every grading needs it)."""
        key = f"{encoder.version}:{kind}"
        with self._lock:
            embedded = self._topics.get(key)
        if embedded is None:
            embedded = thesaurus.embed_topics(encoder, thesaurus.load_topics(), kind)
            with self._lock:
                self._topics[key] = embedded
        return embedded

    def purposes(self, rubric: Rubric, encoder: Encoder) -> np.ndarray:
        """One unit row per :func:`purpose_texts` text."""
        texts = purpose_texts(rubric)
        return self._cached(content_key(rubric, encoder, "purposes", texts),  # type: ignore[return-value]
                            lambda: encoder.encode(texts))

    def _cached(self, key: tuple[str, ...], build: Callable[[], object]) -> object:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        entry = build()
        with self._lock:
            self._entries[key] = entry
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return entry


phrase_index = PhraseIndex()
