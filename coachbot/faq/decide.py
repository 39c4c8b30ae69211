"""From per-topic scores to an answer, a choice between close topics, or an honest fallback."""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from coachbot.content.models import FaqEntry
from coachbot.faq.base import FaqMatch, Ranking, Thresholds

__all__ = ["MAX_CHOICES", "Thresholds", "decide", "leaders"]

MAX_CHOICES = 3


def leaders(scores: Sequence[float], count: int = MAX_CHOICES) -> tuple[int, ...]:
    """The `count` best-scoring topics, best first (the earlier topic first on a tie)."""
    return tuple(heapq.nlargest(count, range(len(scores)), key=scores.__getitem__))


def decide(question: str, entries: Sequence[FaqEntry], ranking: Ranking, policy: Thresholds) -> FaqMatch:
    """Answer, ask between close topics, or fall back with the closest topics as suggestions.

    When the best topics score close together, the learner picks: a tap costs less than a
    wrong answer. Plainly off-topic questions get neither an answer nor suggestions.
    """
    if not entries:
        return FaqMatch(question, None, 0.0)
    scores = ranking.scores
    order = ranking.leaders[:MAX_CHOICES] or leaders(scores)
    best = float(scores[order[0]])
    if ranking.off_topic:
        return FaqMatch(question, None, best)
    if best < policy.threshold:
        return FaqMatch(question, None, best, _above(entries, scores, order, policy.suggest))
    if any(best - scores[i] <= policy.margin for i in order[1:]):
        floor = min(policy.suggest, best - policy.margin)
        return FaqMatch(question, None, best, _above(entries, scores, order, floor), ambiguous=True)
    return FaqMatch(question, entries[order[0]], best)


def _above(entries: Sequence[FaqEntry], scores: Sequence[float], order: Sequence[int],
           floor: float) -> tuple[FaqEntry, ...]:
    return tuple(entries[i] for i in order if scores[i] >= floor)
