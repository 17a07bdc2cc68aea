"""Phrase embeddings of a rubric's key questions, computed once per rubric version.

A rubric version is immutable, but a caller can send an edited rubric under the same id and
version, so the cache key is (rubric_id, version, hash of the key questions' content, model
version). The cache is a small LRU shared by the process (guarded by a lock: the scoring
endpoints run in a thread pool).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from medgrade_shared.models.rubric import KeyQuestion, Rubric
from scoring.semantic.model import Encoder

CACHE_SIZE = 256


@dataclass(frozen=True)
class QuestionPhrases:
    """The texts a key question is matched against (:func:`question_texts`) and their
    embeddings, one unit row per text."""

    texts: tuple[str, ...]
    embeddings: np.ndarray


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


def content_key(rubric: Rubric, encoder: Encoder) -> tuple[str, str, str, str]:
    content = json.dumps([question_texts(q) for q in rubric.key_questions], ensure_ascii=False)
    return rubric.rubric_id, rubric.version, hashlib.sha256(content.encode()).hexdigest(), encoder.version


class PhraseIndex:
    """LRU cache: rubric content key -> one QuestionPhrases per key question, in rubric order."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[str, str, str, str], list[QuestionPhrases]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, rubric: Rubric, encoder: Encoder) -> list[QuestionPhrases]:
        key = content_key(rubric, encoder)
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        texts = [question_texts(q) for q in rubric.key_questions]
        flat = encoder.encode([t for group in texts for t in group])
        entry, start = [], 0
        for group in texts:
            entry.append(QuestionPhrases(group, flat[start:start + len(group)]))
            start += len(group)
        with self._lock:
            self._entries[key] = entry
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return entry


phrase_index = PhraseIndex()
