"""Lexical evidence: BM25 over each topic's phrasings, typo repair, and fuzzy phrase overlap."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from coachbot.content.models import FaqEntry
from coachbot.faq.base import FaqMatch, Ranking
from coachbot.faq.decide import Policy, decide
from coachbot.faq.text import SLANG, clean, terms, tokens, words

QUESTION_LIMIT = 500
K1, B = 1.2, 0.75


def phrasings(entry: FaqEntry) -> tuple[str, ...]:
    return (entry.question, *entry.alternates)


class LexicalIndex:
    """BM25 over topics (all of a topic's phrasings form one document) and the FAQ's vocabulary."""

    def __init__(self, entries: Sequence[FaqEntry], dictionary: Iterable[str] = ()) -> None:
        docs = [terms(words(" ".join(phrasings(e)))) for e in entries]
        self.size = len(docs)
        average = sum(map(len, docs)) / max(1, self.size)
        frequency = Counter(t for doc in docs for t in set(doc))
        self.idf = {t: math.log(1 + (self.size - n + 0.5) / (n + 0.5)) for t, n in frequency.items()}
        self._norm = K1 * (1 - B + B * 4 / max(average, 1.0))
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, doc in enumerate(docs):
            for term, tf in Counter(doc).items():
                saturation = tf * (K1 + 1) / (tf + K1 * (1 - B + B * len(doc) / max(average, 1.0)))
                self.postings[term].append((i, self.idf[term] * saturation))
        texts = [" ".join((*phrasings(e), e.answer)) for e in entries]
        vocabulary = [words(text) for text in texts]
        typed = {t for text in texts for t in tokens(text)}
        self.known = {w for ws in vocabulary for w in ws} | typed | set(dictionary)
        self._repairable = sorted({w for w in self.known - set(dictionary) if len(w) >= 4 and w.isalpha()})
        spread = Counter(t for ws in vocabulary for t in set(terms(ws)))
        self._weight = {t: math.log(1 + self.size / (1 + n)) for t, n in spread.items()}
        self._unknown_weight = math.log(1 + self.size)

    def repair(self, query: list[str]) -> list[str]:
        """Swap misspelt words for the FAQ word one (or, for long words, two) edits away."""
        return [part for w in query for part in SLANG.get(self._repair(w), self._repair(w)).split()]

    def _repair(self, word: str) -> str:
        if word in self.known or len(word) < 4 or not word.isalpha():
            return word
        allowed = 1 if len(word) < 8 else 2
        hit = process.extractOne(word, self._repairable, scorer=OSA.distance,
                                 score_cutoff=allowed)
        return str(hit[0]) if hit else word

    def bm25(self, query_terms: Sequence[str]) -> list[float]:
        """Each topic's BM25 score as a share (0..1) of what a perfect match would score."""
        scores = [0.0] * self.size
        unique = set(query_terms)
        for term in unique:
            for i, weight in self.postings.get(term, ()):
                scores[i] += weight
        ideal = sum(self.idf.get(t, 0.0) for t in unique) * (K1 + 1) / (1 + self._norm)
        return [min(1.0, s / ideal) for s in scores] if ideal else scores

    def coverage(self, query_terms: Sequence[str]) -> float:
        """How much of the question (weighted by rarity) uses words the FAQ knows at all."""
        if not query_terms:
            return 0.0
        weights = [self._weight.get(t, self._unknown_weight) for t in query_terms]
        known = sum(w for w, t in zip(weights, query_terms, strict=True) if t in self._weight)
        return known / sum(weights)


# Calibrated with benchmarks/faq_quality.py --matcher lexical --sweep.
LEXICAL_POLICY = Policy(threshold=0.59, margin=0.01, suggest=0.4)
# Shared words (BM25), fuzzy phrase overlap, and how much of the question the FAQ's words cover:
# coverage carries most weight because it is what tells "banana bread" from a real question.
WEIGHTS = (0.25, 0.125, 0.625)


class LexicalMatcher:
    """Matches on shared words (BM25) and fuzzy phrase overlap; no model needed."""

    name = "lexical"

    def __init__(self, entries: Sequence[FaqEntry], policy: Policy = LEXICAL_POLICY) -> None:
        self.entries = list(entries)
        self.policy = policy
        self.index = LexicalIndex(self.entries)
        self._phrases: list[str] = []
        self._owners: list[int] = []
        for i, entry in enumerate(self.entries):
            for phrase in phrasings(entry):
                self._phrases.append(clean(phrase))
                self._owners.append(i)

    def match(self, question: str) -> FaqMatch:
        ranking = self.rank(question)
        return decide(question, self.entries, ranking.scores, self.policy, ranking.off_topic)

    def rank(self, question: str) -> Ranking:
        query = self.index.repair(words(question[:QUESTION_LIMIT]))
        query_terms = terms(query)
        if not query_terms:
            return Ranking([0.0] * len(self.entries), off_topic=True)
        bm25 = self.index.bm25(query_terms)
        fuzzy = self._fuzzy(" ".join(query))
        coverage = self.index.coverage(query_terms)
        w_bm25, w_fuzzy, w_coverage = WEIGHTS
        return Ranking([w_bm25 * b + w_fuzzy * f + w_coverage * coverage
                        for b, f in zip(bm25, fuzzy, strict=True)])

    def _fuzzy(self, query: str) -> list[float]:
        best = [0.0] * len(self.entries)
        for _phrase, score, i in process.extract(query, self._phrases, scorer=fuzz.token_sort_ratio,
                                                 limit=50, processor=None):
            owner = self._owners[i]
            best[owner] = max(best[owner], score / 100.0)
        # Unrelated sentences still share half their letters, so only overlap above that counts.
        return [max(0.0, 2 * b - 1) for b in best]
