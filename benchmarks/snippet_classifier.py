"""The one section a short excerpt of a consultation is about (an MTS-Dialog snippet, a
pasted part of an interview), from the parser's own section evidence and learned weights.

A benchmark's reference, not part of the product: ``POST /parse`` finds sections with the
segmentation alone (:mod:`document_parser.parsing.segmentation`), and
``benchmarks/eval_segmentation.py`` prints this classifier beside it. It lives here so that the
parser's package and image carry neither it nor its weights.

The excerpt's evidence is summed over its utterances, as the segmentation reads it
(:func:`evidence.section_evidence`): each utterance adds the square root of its evidence for
each section (so one long list of symptoms does not outvote the rest), the interviewer's at
full weight and everyone else's at ``ANSWER_WEIGHT`` (the topic is often only in the answer:
"I take Aciphex"); an utterance of at least ``MIN_WORDS`` words naming no topic adds
``UNNAMED_TOPIC`` to HPI (talk about the complaint itself). Those sums, and which words the
excerpt uses, are the features of a linear (softmax) classifier whose weights
(``benchmarks/data/snippet_sections.json``) were learned from the MTS-Dialog training file by
``benchmarks/train_snippet_sections.py`` — provenance and licence are in the data file. The
learned weights tell apart what the lexicon alone confuses: a chief complaint from the history
of the complaint, a review of systems from past conditions. Interview segmentation does not use
them: it keeps its own contextual decoding (:mod:`document_parser.parsing.segmentation`).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from functools import cache
from pathlib import Path
from typing import NamedTuple

from document_parser.parsing.evidence import MIN_WORDS, section_evidence
from document_parser.parsing.lexicon import COMPLAINT
from medgrade_shared.models.transcript import Utterance
from medgrade_shared.text import normalise

ANSWER_WEIGHT = 0.5
UNNAMED_TOPIC = 0.5  # a feature value of the learned weights (not the segmentation's evidence.UNNAMED_TOPIC)
DEFAULT = COMPLAINT
SOCIAL_OR_FAMILY = "SH/FH"  # one class in the training labels (MTS-Dialog's FAM/SOCHX)
MODEL_PATH = Path(__file__).resolve().parent / "data" / "snippet_sections.json"


class Model(NamedTuple):
    classes: tuple[str, ...]
    bias: dict[str, float]
    weights: dict[str, dict[str, float]]  # feature -> class -> weight


def evidence_totals(utterances: list[Utterance]) -> Counter[str]:
    """Section -> the excerpt's summed evidence (see the module docstring)."""
    totals: Counter[str] = Counter()
    for utterance in utterances:
        weight = 1.0 if utterance.role == "interviewer" else ANSWER_WEIGHT
        scores = section_evidence(utterance.match_text).scores
        if not scores and len(utterance.match_text.split()) >= MIN_WORDS:
            totals[DEFAULT] += UNNAMED_TOPIC
        for section, score in scores.items():
            totals[section] += weight * math.sqrt(score)
    return totals


def features(utterances: list[Utterance], totals: Counter[str] | None = None) -> dict[str, float]:
    """``lex:<section>`` -> summed evidence, ``w:<word>`` -> 1 for each word the excerpt uses."""
    totals = evidence_totals(utterances) if totals is None else totals
    found = {f"lex:{section}": value for section, value in totals.items()}
    for utterance in utterances:
        for word in normalise(utterance.match_text).split():
            found[f"w:{word}"] = 1.0
    return found


def lexicon_section(totals: Counter[str]) -> str:
    """The section with the most evidence: the classifier without learned weights."""
    return max(totals, key=totals.__getitem__) if totals else DEFAULT


def snippet_section(utterances: list[Utterance], model: Model | None = None) -> str:
    """The section the excerpt is about: one of :data:`lexicon.SECTION_NAMES` except Summary."""
    if not utterances:
        return DEFAULT
    model = model or load_model()
    totals = evidence_totals(utterances)
    scores = dict(model.bias)
    for feature, value in features(utterances, totals).items():
        for label, weight in model.weights.get(feature, {}).items():
            scores[label] += weight * value
    best = max(model.classes, key=scores.__getitem__)  # ties: the first class in the file
    if best == SOCIAL_OR_FAMILY:
        return "FH" if totals["FH"] > totals["SH"] else "SH"
    return best


@cache
def load_model() -> Model:
    raw = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    return model_from_json(raw)


def model_from_json(raw: dict) -> Model:
    classes = tuple(raw["classes"])
    weights: dict[str, dict[str, float]] = {}
    for label, table in raw["weights"].items():
        for feature, weight in table.items():
            weights.setdefault(feature, {})[label] = weight
    return Model(classes, {label: raw["bias"][label] for label in classes}, weights)
