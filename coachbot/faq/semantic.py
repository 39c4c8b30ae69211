"""The semantic hybrid: sentence embeddings of every phrasing, weighed with lexical evidence.

The embeddings come from the bundled all-MiniLM-L6-v2 model (coachbot/faq/embedder.py), run
by onnxruntime on the CPU; nothing is fetched at run time.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from coachbot.content.models import FaqEntry
from coachbot.faq.base import QUESTION_LIMIT, FaqMatch, Ranking
from coachbot.faq.bm25 import Bm25Arrays
from coachbot.faq.decide import MAX_CHOICES, Thresholds, decide
from coachbot.faq.embedder import Embedder, load_embedder
from coachbot.faq.index import Vectors, load_vectors
from coachbot.faq.lexical import LexicalIndex, phrasings
from coachbot.faq.offtopic import off_topic_examples
from coachbot.faq.text import NETWORKS, STOPWORDS, terms, words

__all__ = ["HYBRID_POLICY", "SHORTLIST", "HybridMatcher", "load_embedder"]

log = logging.getLogger(__name__)

Matrix = NDArray[np.float32]

# Calibrated on the evaluation set's calibration part only (benchmarks/faq_quality.py --part
# calibration --matcher hybrid --sweep); the README quotes the held-out part.
HYBRID_POLICY = Thresholds(threshold=0.39, margin=0.09, suggest=0.30)
# Off-topic when the best topic's nearest phrasing is no closer than this above the nearest
# off-topic example: a near tie with "how do i reset my password" is not a confident match.
OFF_TOPIC_MARGIN = 0.07
# Best phrasing, mean of the two best phrasings, the answer text, BM25 share, word coverage.
WEIGHTS = (0.42, 0.21, 0.17, 0.125, 0.075)
# A named social network means the question is about that network, not about this bot's settings.
PLATFORMS = NETWORKS | {"tweet", "tweets", "reel", "reels"}
PLATFORM_PENALTY = 0.15
# Beyond this many topics, only a shortlist of this size is scored in full (see HybridMatcher).
SHORTLIST = 200


class HybridMatcher:
    """Scores every topic by meaning (embeddings) and by shared words, and refuses off-topic questions.

    A large FAQ is first narrowed to a shortlist: the topics whose averaged phrasing is nearest
    the question, and those sharing the most words with it. Only those are scored in full;
    the rest are scored on shared words alone and cannot be answered.
    """

    name = "hybrid"

    def __init__(
        self,
        entries: Sequence[FaqEntry],
        embedder: Embedder,
        cache_dir: Path | None = None,
        policy: Thresholds = HYBRID_POLICY,
        shortlist: int = SHORTLIST,
    ) -> None:
        self.entries = list(entries)
        self.policy = policy
        self.embedder = embedder
        self._model_words = embedder.vocabulary()
        self.lexical = LexicalIndex(self.entries, self._model_words)
        self._bm25 = Bm25Arrays(self.lexical)
        groups = [list(phrasings(e)) for e in self.entries]
        self.vectors: Vectors = load_vectors(
            embedder, groups, [e.answer for e in self.entries], off_topic_examples(self.entries), cache_dir
        )
        self._shortlist = shortlist
        self._centroids = self.vectors.centroids() if len(self.entries) > shortlist else None
        # Topics whose answers give bot commands are about this bot, not about social media.
        self._about_bot = np.array([float("`" in e.answer) for e in self.entries], dtype=np.float32)

    def match(self, question: str) -> FaqMatch:
        return decide(question, self.entries, self.rank(question), self.policy)

    def rank(self, question: str) -> Ranking:
        query = self.lexical.repair(words(question[:QUESTION_LIMIT]))
        query_terms = terms(query)
        coverage = self.lexical.coverage(query_terms)
        if not self.entries or not query or (coverage == 0.0 and self._gibberish(query)):
            return Ranking([0.0] * len(self.entries), off_topic=True)
        vector = self.embedder.encode([" ".join(query)])[0]
        bm25 = self._bm25.shares(query_terms)
        topics = self._candidates(vector, bm25)
        best, pair = self.vectors.topic_similarity(vector, topics)
        answers = self.vectors.answers if topics is None else self.vectors.answers[topics]
        shortlist = np.arange(len(self.entries)) if topics is None else topics
        w_best, w_pair, w_answer, w_bm25, w_coverage = WEIGHTS
        scores = w_bm25 * bm25 + w_coverage * coverage
        if PLATFORMS.intersection(query):
            scores -= PLATFORM_PENALTY * self._about_bot
        scores[shortlist] += w_best * best + w_pair * pair + w_answer * (answers @ vector)
        order = np.argsort(-scores[shortlist], kind="stable")[:MAX_CHOICES]
        nearest_off_topic = float(np.max(self.vectors.anchors @ vector, initial=-1.0))
        off_topic = float(best[order[0]]) <= nearest_off_topic + OFF_TOPIC_MARGIN
        return Ranking(scores.tolist(), off_topic, tuple(int(i) for i in shortlist[order]))

    def _gibberish(self, query: list[str]) -> bool:
        """Content words that neither the FAQ nor the model knows ("asdfgh jkl"): not a question.

        A word the FAQ never uses but the model knows ("enroll") still gets a hearing.
        """
        content = [w for w in query if w not in STOPWORDS]
        return bool(content) and not any(w in self._model_words for w in content)

    def _candidates(self, vector: Matrix, bm25: Matrix) -> NDArray[np.intp] | None:
        """The shortlist of a large FAQ, in topic order; None when every topic is scored in full."""
        if self._centroids is None:
            return None
        half = self._shortlist // 2
        near = np.argpartition(-(self._centroids @ vector), half)[:half]
        shared = np.argpartition(-bm25, half)[:half]
        return np.union1d(near, shared)
