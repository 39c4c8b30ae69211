"""What every FAQ matcher returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from coachbot.content.models import FaqEntry

# The longest question read: the rest of a pasted essay only slows matching down.
QUESTION_LIMIT = 500


@dataclass(frozen=True)
class FaqMatch:
    """The outcome of matching one question.

    `entry` is set when the matcher is confident; otherwise `candidates` holds the
    closest topics (best first) to offer as choices, and `ambiguous` says whether
    they scored so close that the learner should pick.
    """

    question: str
    entry: FaqEntry | None
    score: float
    candidates: tuple[FaqEntry, ...] = ()
    ambiguous: bool = False


@dataclass(frozen=True)
class Thresholds:
    """Where a matcher's scores turn into behaviour; each matcher calibrates its own."""

    threshold: float  # answer when the best topic scores at least this
    margin: float  # ...unless the runner-up is this close: then ask which was meant
    suggest: float  # below the threshold, offer topics scoring at least this as choices


@dataclass(frozen=True)
class Ranking:
    """A matcher's raw view of one question: a score per topic, and whether it is plainly off-topic.

    `leaders` lists the best few topics, best first, when the matcher already knows them, so a
    large FAQ need not be sorted again; left empty, they are picked from `scores`.
    """

    scores: Sequence[float]
    off_topic: bool = False
    leaders: tuple[int, ...] = ()


class FaqMatcher(Protocol):
    def match(self, question: str) -> FaqMatch: ...


class RankingMatcher(FaqMatcher, Protocol):
    """A matcher whose scores can be inspected (benchmarks sweep thresholds over them)."""

    name: str
    entries: list[FaqEntry]
    policy: Thresholds

    def rank(self, question: str) -> Ranking: ...
