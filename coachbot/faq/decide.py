"""From per-topic scores to an answer, a choice between close topics, or an honest fallback."""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from coachbot.content.models import FaqEntry
from coachbot.faq.base import FaqMatch, Policy

__all__ = ["MAX_CHOICES", "Policy", "decide"]

MAX_CHOICES = 3


def decide(question: str, entries: Sequence[FaqEntry], scores: Sequence[float], policy: Policy,
           off_topic: bool = False) -> FaqMatch:
    """Answer, ask between close topics, or fall back with the closest topics as suggestions."""
    if not entries:
        return FaqMatch(question, None, 0.0)
    order = heapq.nlargest(MAX_CHOICES, range(len(scores)), key=scores.__getitem__)
    best = float(scores[order[0]])
    if off_topic:
        return FaqMatch(question, None, best)
    if best >= policy.threshold:
        close = [i for i in order[1:] if best - scores[i] <= policy.margin]
        if close:
            return FaqMatch(question, None, best, tuple(entries[i] for i in (order[0], *close)),
                            ambiguous=True)
        return FaqMatch(question, entries[order[0]], best)
    suggestions = tuple(entries[i] for i in order if scores[i] >= policy.suggest)
    return FaqMatch(question, None, best, suggestions)
