"""A plain lexical matcher: fuzzy token overlap against each topic's phrasings."""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process, utils

from coachbot.content.models import FaqEntry
from coachbot.faq.base import FaqMatch


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", utils.default_process(text)).strip()


class LexicalMatcher:
    """Scores a question against every question and alternate; the best phrasing wins."""

    def __init__(self, entries: list[FaqEntry], threshold: float = 0.72, suggest_above: float = 0.45) -> None:
        self.threshold = threshold
        self.suggest_above = suggest_above
        self._phrases: list[str] = []
        self._owners: list[FaqEntry] = []
        for entry in entries:
            for phrase in (entry.question, *entry.alternates):
                self._phrases.append(normalise(phrase))
                self._owners.append(entry)

    def match(self, question: str) -> FaqMatch:
        query = normalise(question[:500])
        if not query or not self._phrases:
            return FaqMatch(question, None, 0.0)
        hits = process.extract(query, self._phrases, scorer=fuzz.token_set_ratio,
                               limit=20, processor=None)
        best: dict[str, tuple[float, FaqEntry]] = {}
        for _phrase, raw, index in hits:
            owner, score = self._owners[index], raw / 100.0
            if owner.id not in best or score > best[owner.id][0]:
                best[owner.id] = (score, owner)
        ranked = sorted(best.values(), key=lambda pair: -pair[0])
        top_score, top = ranked[0]
        if top_score >= self.threshold:
            return FaqMatch(question, top, top_score)
        candidates = tuple(entry for score, entry in ranked[:3] if score >= self.suggest_above)
        return FaqMatch(question, None, top_score, candidates)
