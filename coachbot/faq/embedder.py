"""all-MiniLM-L6-v2 as a bundled ONNX file, run by onnxruntime and tokenised by `tokenizers`.

The model ships inside the package (coachbot/faq/model/, with its licence and a notice of how
it was converted by tools/export_faq_model.py), so nothing is fetched at run time. Its sha256
is checked before it runs: a damaged or swapped file is refused and the bot falls back to the
lexical matcher.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

Matrix = NDArray[np.float32]

MODEL_DIR = Path(__file__).resolve().parent / "model"
MODEL_SHA256 = "fc035751a3bee0ff0d284729f315e73a6b1a87c1a095dd8982fa70863c0089d3"
MAX_TOKENS = 256  # what sentence-transformers feeds all-MiniLM-L6-v2; longer input is cut


class Embedder(Protocol):
    name: str

    def encode(self, texts: Sequence[str]) -> Matrix: ...

    def vocabulary(self) -> set[str]: ...


class ModelUnavailable(RuntimeError):
    """The bundled model cannot be used; the message says why and what to do."""


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class MiniLM:
    """Unit-length sentence embeddings (384 numbers) on the CPU, one thread."""

    def __init__(self, model_dir: Path = MODEL_DIR, sha256: str = MODEL_SHA256) -> None:
        model, vocabulary = model_dir / "model.onnx", model_dir / "tokenizer.json"
        for path in (model, vocabulary):
            if not path.is_file():
                raise ModelUnavailable(f"{path} is missing; reinstall coachbot")
        found = file_sha256(model)
        if found != sha256:
            raise ModelUnavailable(f"{model} has sha256 {found}, expected {sha256}; reinstall coachbot")
        try:
            import onnxruntime
            from threadpoolctl import threadpool_limits
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelUnavailable(f"{exc.name} is not installed; reinstall coachbot") from exc
        # One thread each for the model and for BLAS (the FAQ's matrix products): a question
        # is a few tokens, so more threads only spin, and on a small shared machine they
        # contend with each other and with every other process.
        threadpool_limits(limits=1, user_api="blas")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        # The weight matrices are computed by int8 kernels (see tools/export_faq_model.py); the
        # token embedding alone turns back into float32, once, when the model loads.
        options.add_session_config_entry("session.disable_quant_qdq", "1")
        try:
            self._session: Any = onnxruntime.InferenceSession(str(model), options,
                                                              providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime's own errors share no base class but Exception
            raise ModelUnavailable(f"onnxruntime {onnxruntime.__version__} cannot run {model} ({exc}); "
                                   "reinstall coachbot") from exc
        self._tokenizer: Any = Tokenizer.from_file(str(vocabulary))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        self.name = f"all-MiniLM-L6-v2 (ONNX {found[:12]})"

    def encode(self, texts: Sequence[str]) -> Matrix:
        """One text per run, as a question is asked.

        The int8 kernels quantise a run's activations with one scale, so a text run together
        with others (and their padding) would embed a little differently from the same text
        alone, and an FAQ phrasing would shift whenever another one changed.
        """
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for row, encoded in enumerate(self._tokenizer.encode_batch(list(texts))):
            out[row] = self._run([encoded])[0]
        return out

    def _run(self, batch: list[Any]) -> Matrix:
        width = max(len(e.ids) for e in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, item in enumerate(batch):
            ids[row, :len(item.ids)] = item.ids
            mask[row, :len(item.ids)] = 1
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return np.asarray(self._session.run(None, feed)[0], dtype=np.float32)

    def vocabulary(self) -> set[str]:
        """Whole words the model knows, so real words are never "repaired" into FAQ words."""
        return {w for w in self._tokenizer.get_vocab() if w.isalpha() and w.islower()}


@cache
def load_embedder() -> Embedder:
    """The model, loaded once per process."""
    return MiniLM()
