"""The model loader, sentence splitting and the per-sentence text that is embedded."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.semantic.model import MODEL_NAME
from scoring.semantic.sentences import interviewer_sentences, matching_units


def test_model_is_the_packaged_minilm_with_unit_embeddings(encoder) -> None:
    vectors = encoder.encode(["Any chest pain?", "Where exactly is the pain?", "Any chest pain?"])

    assert encoder.name == MODEL_NAME
    assert encoder.version.endswith(";onnx-float32")
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    assert np.linalg.norm(vectors, axis=1) == pytest.approx(1.0, abs=1e-3)
    assert np.array_equal(vectors[0], vectors[2])
    assert encoder.encode([]).shape == (0, 384)


def test_one_math_thread(encoder) -> None:
    from threadpoolctl import threadpool_info

    options = encoder.session.get_session_options()
    assert (options.intra_op_num_threads, options.inter_op_num_threads) == (1, 1)
    assert all(pool["num_threads"] == 1 for pool in threadpool_info())


@pytest.mark.parametrize(("text", "sentences"), [
    ("OK, all right.Um, now, have you taken any medication? It's fine.",
     ["OK, all right.", "Um, now, have you taken any medication?", "It's fine."]),
    ("Right, OK.", ["Right, OK."]),
    ("... ?", []),
    ("Is it 2.5 mg?", ["Is it 2.5 mg?"]),
    # a long unpunctuated turn: split before each question clause and each clause of the speaker's own
    ("okay and have you had any fever i think you have a knee sprain from overuse so let's get an x-ray",
     ["okay and have you had any fever", "i think you have a knee sprain from overuse so", "let's get an x-ray"]),
    # a fragment too short to stand alone joins the next part, but not the speaker's own clause
    ("okay so what i want to tell you is that i think you have a knee sprain from overuse and it will heal",
     ["okay so what", "i want to tell you", "is that", "i think you have a knee sprain from overuse and it will heal"]),
])
def test_matching_units(text, sentences) -> None:
    assert matching_units(text) == sentences


def test_only_interviewer_sentences_with_their_position_and_content(make_parsed) -> None:
    parsed = make_parsed([("patient", "I have pain. It is bad."),
                          ("interviewer", "Um, OK. Uh, where is the pain?")])
    sentences = interviewer_sentences(parsed)

    assert [(s.utterance.index, s.position, s.text) for s in sentences] == [
        (1, 0, "Um, OK."), (1, 1, "Uh, where is the pain?")]
    assert sentences[1].content == "where is the pain?"
    assert sentences[1].normalised == " uh where is the pain "


def test_concurrent_calls_give_the_same_embeddings(encoder) -> None:
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"Have you had any pain in your {part} at all?" for part in ("chest", "arm", "jaw", "back")] * 4
    expected = encoder.encode(texts)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: encoder.encode(texts), range(8)))

    assert all(np.array_equal(result, expected) for result in results)
