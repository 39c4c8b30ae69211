"""The lexical index's BM25 as flat arrays: one gather and one bincount per question."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from coachbot.faq.lexical import LexicalIndex


class Bm25Arrays:
    """Every term's postings laid end to end, so scoring never loops over topics in Python."""

    def __init__(self, index: LexicalIndex) -> None:
        self._index = index
        terms = sorted(index.postings)
        self._slot = {term: k for k, term in enumerate(terms)}
        postings = [pair for term in terms for pair in index.postings[term]]
        self._bounds = np.cumsum([0, *(len(index.postings[t]) for t in terms)])
        self._topics = np.array([i for i, _ in postings], dtype=np.intp)
        self._weights = np.array([w for _, w in postings], dtype=np.float64)

    def shares(self, query_terms: Sequence[str]) -> NDArray[np.float32]:
        """Each topic's BM25 as a share (0..1) of what a perfect match would score."""
        unique = set(query_terms)
        slots = [self._slot[t] for t in unique if t in self._slot]
        ideal = self._index.ideal(unique)
        if not slots or not ideal:
            return np.zeros(self._index.size, dtype=np.float32)
        spans = np.concatenate([np.arange(self._bounds[k], self._bounds[k + 1]) for k in slots])
        totals = np.bincount(self._topics[spans], weights=self._weights[spans], minlength=self._index.size)
        return np.minimum(totals / ideal, 1.0).astype(np.float32)
