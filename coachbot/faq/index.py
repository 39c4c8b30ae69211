"""Embedded FAQ phrasings, cached on disk so a restart does not re-embed an unchanged FAQ."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from coachbot.faq.text import clean

if TYPE_CHECKING:
    from coachbot.faq.embedder import Embedder

log = logging.getLogger(__name__)

Matrix = NDArray[np.float32]
PREFIX = "faq-index-"
KEEP = 4  # indexes kept per cache folder: the current FAQ and a few recent versions
# Raised whenever the same model and texts would embed differently (2: one text per run).
VERSION = 2


@dataclass(frozen=True)
class Vectors:
    """Unit vectors: phrasings grouped by topic, one per answer, and the off-topic examples."""

    phrases: Matrix
    starts: NDArray[np.intp]  # index of each topic's first phrasing
    owners: NDArray[np.intp]  # topic of each phrasing
    answers: Matrix
    anchors: Matrix

    def topic_similarity(self, vector: Matrix, topics: NDArray[np.intp] | None = None
                         ) -> tuple[Matrix, Matrix]:
        """Per topic (all, or just `topics`): the best phrasing's cosine, and the mean of the best two."""
        if topics is None:
            sims, starts, owners = self.phrases @ vector, self.starts, self.owners
        else:
            sizes = np.diff(np.append(self.starts, len(self.phrases)))[topics]
            starts = np.cumsum(sizes) - sizes
            rows = np.arange(int(sizes.sum())) + np.repeat(self.starts[topics] - starts, sizes)
            sims, owners = self.phrases[rows] @ vector, np.repeat(np.arange(len(topics)), sizes)
        best = np.maximum.reduceat(sims, starts)
        rest = np.where(sims >= best[owners], np.float32(-2.0), sims)
        second = np.maximum.reduceat(rest, starts)
        second = np.where(second < -1.5, best, second)
        return best.astype(np.float32), ((best + second) / 2).astype(np.float32)

    def centroids(self) -> Matrix:
        """Each topic's phrasings averaged into one unit vector: a cheap first look at a large FAQ."""
        sizes = np.diff(np.append(self.starts, len(self.phrases)))
        sums = np.add.reduceat(self.phrases, self.starts, axis=0) / sizes[:, None]
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        return np.ascontiguousarray(sums / np.maximum(norms, 1e-9), dtype=np.float32)


def cache_key(model: str, groups: list[list[str]], answers: list[str], anchors: list[str]) -> str:
    blob = json.dumps([VERSION, model, groups, answers, anchors], ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()[:24]


def load_vectors(embedder: Embedder, groups: list[list[str]], answers: list[str], anchors: list[str],
                 cache_dir: Path | None) -> Vectors:
    """Embed the FAQ, or read the embeddings back when the same FAQ was embedded before."""
    sizes = [len(g) for g in groups]
    starts = np.cumsum([0, *sizes[:-1]]).astype(np.intp)
    owners = np.repeat(np.arange(len(groups), dtype=np.intp), sizes)
    path = None
    if cache_dir is not None:
        path = cache_dir / f"{PREFIX}{cache_key(embedder.name, groups, answers, anchors)}.npz"
        cached = _read(path)
        if cached is not None:
            log.debug("FAQ index read from %s", path)
            return Vectors(cached["phrases"], starts, owners, cached["answers"], cached["anchors"])
    phrases = [clean(p) for group in groups for p in group]
    log.info("embedding the FAQ's %d phrasings and answers, once for this version of the FAQ",
             len(phrases) + len(answers))
    vectors = embedder.encode([*phrases, *answers, *(clean(a) for a in anchors)])
    n, m = len(phrases), len(answers)
    arrays = {"phrases": vectors[:n], "answers": vectors[n:n + m], "anchors": vectors[n + m:]}
    if path is not None:
        _write(path, arrays)
    return Vectors(arrays["phrases"], starts, owners, arrays["answers"], arrays["anchors"])


def _read(path: Path) -> dict[str, Matrix] | None:
    if not path.exists():
        return None
    try:
        with np.load(path) as data:
            return {name: data[name].astype(np.float32) for name in ("phrases", "answers", "anchors")}
    except (OSError, ValueError, KeyError) as exc:
        log.warning("FAQ index cache %s unreadable (%s); embedding again", path, exc)
        return None


def _write(path: Path, arrays: dict[str, Matrix]) -> None:
    """Write atomically, then drop all but the few most recent indexes."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".npz")
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **arrays)  # type: ignore[arg-type]
        os.replace(temporary, path)
    except OSError as exc:
        log.warning("could not cache the FAQ index in %s (%s); it will be embedded at each start",
                    path.parent, exc)
        return
    older = sorted(path.parent.glob(f"{PREFIX}*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in older[KEEP:]:
        stale.unlink(missing_ok=True)
    log.debug("FAQ index embedded and cached in %s", path)
