"""What every FAQ matcher returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from coachbot.content.models import FaqEntry


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


class FaqMatcher(Protocol):
    def match(self, question: str) -> FaqMatch: ...
