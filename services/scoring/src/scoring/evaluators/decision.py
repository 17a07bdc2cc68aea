"""The decision "does this interviewer sentence ask this key question?" as a calibrated probability.

A logistic model over a few general features of a (sentence, question) pair (:data:`FEATURES`):
how similar the sentence, its list items and its read-back are to the question's texts (and to the
thesaurus wordings linked to the question), by how much it is nearer to this question than to any
other of the rubric, whether a phrase matches
word for word or by stems, how many of a text's content words it shares, whether a lexical
cue fires, and whether it is a question. A single fixed similarity floor cannot serve both an
exhaustive rubric (a phrase near every wording) and a teacher's sparse one (the label and three
phrases); weighing the evidence together can.

The coefficients and the decision threshold are fitted by ``benchmarks/eval_key_questions.py
--fit`` on the labelled set, with the threshold chosen on training folds only and the figures
reported on complaints the fit did not see (leave one complaint out).

A rubric phrase (or the label) found word for word, or a lexical cue, in a question still decides on
its own, as a teacher who wrote the phrase expects: its confidence is the precision such matches had on
the fitted labels (``rule_precision``). The model decides everything else, and only for a
question that is the sentence's nearest by some evidence (:func:`nearest`). The fitted model ships as
package data (``data/key_question_model.json``); its digest is recorded in every result, so a
grade names the exact model that decided it. Inference is a dot product: deterministic.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

import numpy as np

from medgrade_shared.models.rubric import SubmissionKind

FEATURES = (
    "similarity",        # best cosine of the sentence (or its question frame) to the question's phrases, label
                         # and label items
    "margin",            # similarity minus the sentence's best similarity to any other question
    "item_similarity",   # the same for the sentence's best list item ("any nausea, vomiting, ...")
    "item_margin",
    "nearest",           # 1 when this is the sentence's (or one of its items') nearest question of the rubric
    "read_back",         # the same for the patient's words the sentence reads back (0: none)
    "read_back_margin",
    "expansion",         # cosine to the thesaurus wordings linked to the question (where the sentence's
                         # nearest topic is one of them and the question is its nearest: else 0)
    "expansion_margin",  # that cosine minus the best evidence of any other question (its texts or wordings)
    "phrase",            # 1 when a phrase or the label occurs word for word
    "stem",              # 1 when a phrase, the label or a label item occurs stem for stem
    "overlap",           # best share of a text's content stems found in the sentence (of at least two)
    "cue",               # 1 when a lexical cue (duration, onset, an outright topic question) fires
    "question",          # 1 when the sentence ends with a question mark
)
LEXICAL_FEATURES = ("phrase", "stem", "cue")
RULE_FEATURES = ("phrase", "cue")  # evidence that decides on its own
MODEL_FILES: dict[SubmissionKind, str] = {
    "interview": "key_question_model.json",  # fitted on evaluation/key_questions
    "presentation": "key_question_presentation_model.json",  # fitted on evaluation/presentations
}
COLUMN = {name: index for index, name in enumerate(FEATURES)}  # feature name -> column
_RULE_COLUMNS = [COLUMN[name] for name in RULE_FEATURES]
_LEXICAL_COLUMNS = [COLUMN[name] for name in LEXICAL_FEATURES]


def nearest(features: np.ndarray) -> np.ndarray:
    """Rows whose question is the nearest of the rubric by some evidence: the sentence, a list item,
    its read-back or a linked thesaurus wording. The model decides only there: a sentence that is
    nearer to another question by everything it says does not ask this one ("where is the pain
    exactly?" is close to "describe the pain", but closer to the site). Not for a presentation's
    model (``nearest_only`` false): one reported sentence often states several items at once ("the
    pain began two days ago when he twisted it, and it is on the outer side")."""
    column = COLUMN
    read_back = (features[:, column["read_back"]] > 0) & (features[:, column["read_back_margin"]] >= 0)
    expansion = (features[:, column["expansion"]] > 0) & (features[:, column["expansion_margin"]] >= 0)
    return (features[:, column["nearest"]] >= 1.0) | read_back | expansion


@dataclass(frozen=True)
class DecisionModel:
    weights: np.ndarray  # one per feature of FEATURES
    intercept: float
    threshold: float  # a sentence asks when its probability is at least this
    rule_precision: float  # how often a word-for-word phrase or cue match asked, on the fitted labels
    fitted_on: str = ""
    nearest_only: bool = True  # decide only for the sentence's nearest question (see :func:`nearest`)
    rules_need_question: bool = True  # a word-for-word match decides alone only in a question (not in a presentation)

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P(asks) for each row of a (sentences x FEATURES) matrix."""
        return 1.0 / (1.0 + np.exp(-(features @ self.weights + self.intercept)))

    def by_rule(self, features: np.ndarray) -> np.ndarray:
        """Rows whose word-for-word phrase or cue match decides on its own: in an interview only in
        a question (``rules_need_question``). A teacher's word in an examination finding ("you don't
        have a fever"), an explanation or small talk is not asking about it; there the model weighs
        the match with the rest of the evidence."""
        rule = features[:, _RULE_COLUMNS].max(axis=1) >= 1.0
        return rule & (features[:, COLUMN["question"]] >= 1.0) if self.rules_need_question else rule

    def confidence(self, features: np.ndarray) -> np.ndarray:
        """P(asks) per row, the rule's precision at least where the rule decides."""
        return np.where(self.by_rule(features), np.maximum(self.probability(features), self.rule_precision),
                        self.probability(features))

    def asks(self, features: np.ndarray) -> np.ndarray:
        gate = nearest(features) if self.nearest_only else np.ones(len(features), dtype=bool)
        return self.by_rule(features) | ((self.probability(features) >= self.threshold) & gate)

    def semantic_probability(self, features: np.ndarray) -> np.ndarray:
        """The probability with the lexical evidence taken away: whether the meaning alone asks."""
        semantic = features.copy()
        semantic[:, _LEXICAL_COLUMNS] = 0.0
        return self.probability(semantic)

    def to_json(self) -> dict[str, Any]:
        return {"features": list(FEATURES), "weights": [round(float(w), 6) for w in self.weights],
                "intercept": round(float(self.intercept), 6), "threshold": round(float(self.threshold), 4),
                "rule_precision": round(float(self.rule_precision), 4), "fitted_on": self.fitted_on,
                **({} if self.nearest_only else {"nearest_only": False}),
                **({} if self.rules_need_question else {"rules_need_question": False})}

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> DecisionModel:
        if tuple(document["features"]) != FEATURES:
            raise ValueError(f"the decision model's features {document['features']} are not {list(FEATURES)}")
        return cls(np.asarray(document["weights"], dtype=np.float64), float(document["intercept"]),
                   float(document["threshold"]), float(document["rule_precision"]), str(document.get("fitted_on", "")),
                   bool(document.get("nearest_only", True)), bool(document.get("rules_need_question", True)))

    @property
    def digest(self) -> str:
        """A short content hash: the model's identity in every result."""
        return hashlib.sha256(json.dumps(self.to_json(), sort_keys=True).encode()).hexdigest()[:12]


@lru_cache(maxsize=len(MODEL_FILES))
def load_decision_model(kind: SubmissionKind = "interview") -> DecisionModel:
    """The shipped model of a submission kind (package data), read once per process: asking in an
    interview and stating in a presentation are told apart by the same evidence weighed differently."""
    text = files("scoring.evaluators.data").joinpath(MODEL_FILES[kind]).read_text(encoding="utf-8")
    return DecisionModel.from_json(json.loads(text))
