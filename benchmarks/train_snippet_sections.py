"""Learn the weights of the parser's snippet classifier (``document_parser.parsing.snippets``)
from the MTS-Dialog training file, and write them to the classifier's data file (benchmarks/data/).

Only ``MTS-Dialog-TrainingSet.csv`` is read: the validation file is for measuring
(``eval_segmentation.py``) and the test sets are a held-out benchmark. Each row with a header
the parser maps (see ``eval_segmentation.HEADERS``) is parsed as a transcript; its features are
the parser's summed section evidence and the words it uses (``snippets.features``), its label
the section (FAM/SOCHX is one class, ``SH/FH``: the rows do not say which). The model is a
softmax regression trained by seeded stochastic gradient descent with L2 on the active
weights: the same input gives the same file. ``--cv`` first reports a 5-fold
cross-validation on the training file, which is how EPOCHS, LEARNING_RATE and L2 were chosen.

Data: MTS-Dialog, Ben Abacha et al., EACL 2023, CC BY 4.0; the data file records its source,
licence and citation.

    python benchmarks/train_snippet_sections.py --corpus /work/shared/corpus/mts-dialog [--cv]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import random
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import snippet_classifier as snippets

from document_parser.parsing.pipeline import parse_transcript
from medgrade_shared.errors import DomainError

TRAINING_FILE = "MTS-Dialog-TrainingSet.csv"
SOURCE_COMMIT = "3ff0801933608d6f570468c13125125fb5cabdea"
LABELS = {"GENHX": "HPI", "CC": "CC", "ROS": "ROS", "PASTMEDICALHX": "PMH", "PASTSURGICAL": "PMH",
          "MEDICATIONS": "MEDS", "ALLERGY": "ALLERGIES", "FAM/SOCHX": snippets.SOCIAL_OR_FAMILY}
CLASSES = ("HPI", "CC", "ROS", "PMH", "MEDS", "ALLERGIES", snippets.SOCIAL_OR_FAMILY)
EPOCHS = 20
LEARNING_RATE = 0.1  # divided by 1 + 0.2 * epoch
L2 = 3e-3
SEED = 0
FOLDS = 5
KEEP_ABOVE = 1e-3  # smaller weights are left out of the file
DIGITS = 5
OUT = snippets.MODEL_PATH

Example = tuple[dict[str, float], str]
T = TypeVar("T")


def read_examples(path: Path) -> list[Example]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["section_header"] in LABELS]
    examples = []
    for row in rows:
        try:
            parsed = parse_transcript(row["dialogue"], "text")
        except DomainError:
            continue
        examples.append((snippets.features(parsed.utterances), LABELS[row["section_header"]]))
    return examples


def train(examples: list[Example], seed: int = SEED) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Softmax regression by SGD: (class -> bias, class -> feature -> weight)."""
    bias = dict.fromkeys(CLASSES, 0.0)
    weights: dict[str, dict[str, float]] = {label: defaultdict(float) for label in CLASSES}
    order = list(range(len(examples)))
    rng = random.Random(seed)
    for epoch in range(EPOCHS):
        rng.shuffle(order)
        rate = LEARNING_RATE / (1 + 0.2 * epoch)
        for i in order:
            x, label = examples[i]
            z = {c: bias[c] + sum(weights[c][k] * v for k, v in x.items()) for c in CLASSES}
            top = max(z.values())
            e = {c: math.exp(z[c] - top) for c in CLASSES}
            total = sum(e.values())
            for c in CLASSES:
                gradient = e[c] / total - (1.0 if c == label else 0.0)
                bias[c] -= rate * gradient
                table = weights[c]
                for k, v in x.items():
                    table[k] -= rate * (gradient * v + L2 * table[k])
    return bias, {c: dict(table) for c, table in weights.items()}


def as_model(bias: dict[str, float], weights: dict[str, dict[str, float]]) -> dict:
    return {
        "classes": list(CLASSES),
        "bias": {c: round(b, DIGITS) for c, b in bias.items()},
        "weights": {c: {k: round(w, DIGITS) for k, w in sorted(table.items()) if abs(w) > KEEP_ABOVE}
                    for c, table in weights.items()},
    }


def accuracy(model: dict, examples: list[Example]) -> float:
    loaded = snippets.model_from_json(model)
    correct = 0
    for x, label in examples:
        scores = dict(loaded.bias)
        for feature, value in x.items():
            for c, weight in loaded.weights.get(feature, {}).items():
                scores[c] += weight * value
        correct += max(loaded.classes, key=scores.__getitem__) == label
    return correct / len(examples)


def folds(items: list[T], count: int = FOLDS, seed: int = SEED) -> Iterator[tuple[list[T], list[T]]]:
    """(held out, kept) for each of ``count`` folds of a seeded shuffle of ``items``."""
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    for fold in range(count):
        yield ([items[i] for j, i in enumerate(order) if j % count == fold],
               [items[i] for j, i in enumerate(order) if j % count != fold])


def cross_validate(examples: list[Example]) -> float:
    correct = 0.0
    for fold, (held, kept) in enumerate(folds(examples)):
        fold_accuracy = accuracy(as_model(*train(kept)), held)
        correct += fold_accuracy * len(held)
        print(f"  fold {fold + 1}/{FOLDS}: {fold_accuracy:.1%} of {len(held)}", file=sys.stderr)
    return correct / len(examples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder with the MTS-Dialog CSV files")
    parser.add_argument("--cv", action="store_true", help=f"report a {FOLDS}-fold cross-validation first")
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the model (default: the parser's)")
    args = parser.parse_args()
    path = args.corpus / TRAINING_FILE
    if not path.is_file():
        parser.error(f"{path} not found")
    examples = read_examples(path)
    cv = cross_validate(examples) if args.cv else None
    if cv is not None:
        print(f"{FOLDS}-fold cross-validation on the training file: {cv:.1%} ({len(examples)} snippets)")
    model = as_model(*train(examples))
    document = {
        "description": "Weights of document_parser.parsing.snippets: section of a consultation excerpt.",
        "trained_by": "benchmarks/train_snippet_sections.py",
        "source": {"dataset": "MTS-Dialog", "url": "https://github.com/abachaa/MTS-Dialog", "commit": SOURCE_COMMIT,
                   "file": f"Main-Dataset/{TRAINING_FILE}",
                   "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "snippets": len(examples)},
        "license": "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/): weights derived from MTS-Dialog",
        "citation": "Asma Ben Abacha, Wen-wai Yim, Yadan Fan and Thomas Lin. 2023. An Empirical Study of Clinical "
                    "Note Generation from Doctor-Patient Encounters. EACL 2023, pages 2291-2302. "
                    "https://aclanthology.org/2023.eacl-main.168",
        "hyperparameters": {"epochs": EPOCHS, "learning_rate": LEARNING_RATE, "l2": L2, "seed": SEED,
                            "kept_weights_above": KEEP_ABOVE},
        "training_accuracy": round(accuracy(model, examples), 4),
        **({"cross_validation": {"folds": FOLDS, "accuracy": round(cv, 4)}} if cv is not None else {}),
        **model,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out} (training accuracy {document['training_accuracy']:.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
