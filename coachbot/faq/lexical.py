"""Lexical evidence: BM25 over each topic's phrasings, typo repair, and fuzzy phrase overlap."""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from coachbot.content.models import FaqEntry
from coachbot.faq.base import QUESTION_LIMIT, FaqMatch, Ranking
from coachbot.faq.decide import MAX_CHOICES, Thresholds, decide
from coachbot.faq.offtopic import off_topic_examples
from coachbot.faq.text import SLANG, STOPWORDS, clean, stem, terms, tokens, words

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
        self._used_stems = {stem(w) for ws in vocabulary for w in ws}
        spread = Counter(t for ws in vocabulary for t in set(terms(ws)))
        self._weight = {t: math.log(1 + self.size / (1 + n)) for t, n in spread.items()}
        self._unknown_weight = math.log(1 + self.size)

    def repair(self, query: list[str]) -> list[str]:
        """Swap misspelt words for the FAQ word one (or, for long words, two) edits away."""
        fixed = (self._repair(w) for w in query)
        return [part for w in fixed for part in SLANG.get(w, w).split()]

    def _repair(self, word: str) -> str:
        # Another form of a word the FAQ uses ("chats" beside "chat") is not a typo.
        if word in self.known or len(word) < 4 or not word.isalpha() or stem(word) in self._used_stems:
            return word
        allowed = 1 if len(word) < 8 else 2
        hit = process.extractOne(word, self._repairable, scorer=OSA.distance,
                                 score_cutoff=allowed)
        return str(hit[0]) if hit else word

    def bm25(self, query_terms: Sequence[str]) -> dict[int, float]:
        """BM25 of the topics sharing a word with the question, as a share (0..1) of a perfect match."""
        unique = set(query_terms)
        ideal = self.ideal(unique)
        if not ideal:
            return {}
        scores: dict[int, float] = defaultdict(float)
        for term in unique:
            for i, weight in self.postings.get(term, ()):
                scores[i] += weight
        return {i: min(1.0, s / ideal) for i, s in scores.items()}

    def ideal(self, unique_terms: Iterable[str]) -> float:
        """What a topic made of exactly these words would score: the scale for BM25 shares."""
        return sum(self.idf.get(t, 0.0) for t in unique_terms) * (K1 + 1) / (1 + self._norm)

    def coverage(self, query_terms: Sequence[str]) -> float:
        """How much of the question (weighted by rarity) uses words the FAQ knows at all."""
        if not query_terms:
            return 0.0
        weights = [self._weight.get(t, self._unknown_weight) for t in query_terms]
        known = sum(w for w, t in zip(weights, query_terms, strict=True) if t in self._weight)
        return known / sum(weights)


# Calibrated with benchmarks/faq_quality.py --matcher lexical --sweep.
LEXICAL_POLICY = Thresholds(threshold=0.55, margin=0.02, suggest=0.35)
# Shared words (BM25), fuzzy phrase overlap, and how much of the question the FAQ's words cover:
# coverage carries most weight because it is what tells "banana bread" from a real question.
WEIGHTS = (0.25, 0.125, 0.625)
FUZZY_LIMIT = 50  # phrasings whose fuzzy overlap counts, best first


def sorted_words(text: str) -> str:
    """The words in alphabetical order: comparing these is rapidfuzz's token_sort_ratio."""
    return " ".join(sorted(text.split()))


def gist(text_words: list[str]) -> str:
    """The content words, in alphabetical order."""
    return " ".join(sorted(w for w in text_words if w not in STOPWORDS))


class LexicalMatcher:
    """Matches on shared words (BM25) and fuzzy phrase overlap; no model needed.

    Only topics sharing a word or a close phrasing with the question are scored; the rest
    score nothing, which keeps a question's cost proportional to the evidence, not the FAQ.
    """

    name = "lexical"

    def __init__(self, entries: Sequence[FaqEntry], policy: Thresholds = LEXICAL_POLICY) -> None:
        self.entries = list(entries)
        self.policy = policy
        self.index = LexicalIndex(self.entries)
        self._phrases: list[str] = []
        self._owners: list[int] = []
        for i, entry in enumerate(self.entries):
            for phrase in phrasings(entry):
                self._phrases.append(sorted_words(clean(phrase)))
                self._owners.append(i)
        # Off-topic examples and phrasings by their content words alone: "how do i" in common
        # says nothing about a question's topic.
        self._gist = [gist(words(phrase)) for entry in self.entries for phrase in phrasings(entry)]
        self._off_topic = [gist(words(example)) for example in off_topic_examples(self.entries)]

    def match(self, question: str) -> FaqMatch:
        return decide(question, self.entries, self.rank(question), self.policy)

    def rank(self, question: str) -> Ranking:
        query = self.index.repair(words(question[:QUESTION_LIMIT]))
        query_terms = terms(query)
        scores = [0.0] * len(self.entries)
        if not query_terms or not self.entries:
            return Ranking(scores, off_topic=True)
        sorted_query = sorted_words(" ".join(query))
        bm25 = self.index.bm25(query_terms)
        fuzzy = self._fuzzy(sorted_query)
        coverage = self.index.coverage(query_terms)
        w_bm25, w_fuzzy, w_coverage = WEIGHTS
        found = bm25.keys() | fuzzy.keys()
        for i in found:
            scores[i] = w_bm25 * bm25.get(i, 0.0) + w_fuzzy * fuzzy.get(i, 0.0) + w_coverage * coverage
        best = heapq.nlargest(MAX_CHOICES, found, key=lambda i: (scores[i], -i))
        return Ranking(scores, self._nearer_off_topic(gist(query)), tuple(best))

    def _fuzzy(self, sorted_query: str) -> dict[int, float]:
        """Per topic, how closely its nearest phrasing matches (word order ignored).

        Unrelated sentences still share half their letters, so only overlap above that counts.
        """
        best: dict[int, float] = {}
        for _phrase, score, i in process.extract(sorted_query, self._phrases, scorer=fuzz.ratio,
                                                 processor=None, limit=FUZZY_LIMIT, score_cutoff=50):
            owner = self._owners[i]
            best[owner] = max(best.get(owner, 0.0), _overlap(score))
        return best

    def _nearer_off_topic(self, query_gist: str) -> bool:
        """Whether an off-topic example shares more of the question's content than any phrasing."""
        example = process.extractOne(query_gist, self._off_topic, scorer=fuzz.ratio, processor=None,
                                     score_cutoff=50)
        if example is None:
            return False
        phrasing = process.extractOne(query_gist, self._gist, scorer=fuzz.ratio, processor=None,
                                      score_cutoff=example[1])
        return phrasing is None


def _overlap(ratio: float) -> float:
    """A fuzzy ratio (0..100) as overlap beyond the half that unrelated sentences share (0..1)."""
    return 2 * ratio / 100.0 - 1
