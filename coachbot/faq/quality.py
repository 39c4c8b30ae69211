"""Measuring a matcher against an evaluation set: accuracy, rejection, choice coverage, confusions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from coachbot.content.models import FaqEntry
from coachbot.faq.base import FaqMatch, Ranking, RankingMatcher
from coachbot.faq.decide import Thresholds, decide, leaders

PARTS = ("calibration", "held-out", "fresh", "all")


@dataclass(frozen=True)
class EvalSet:
    in_scope: list[tuple[str, str]]  # (question, expected FAQ id)
    out_of_scope: list[str]
    unknown: int = 0  # in-scope questions left out: their topic is not in the FAQ being evaluated

    def covered_by(self, entries: Sequence[FaqEntry]) -> EvalSet:
        """Only the in-scope questions whose topic this FAQ has; the others are counted in `unknown`."""
        ids = {e.id for e in entries}
        kept = [(q, gold) for q, gold in self.in_scope if gold in ids]
        return EvalSet(kept, self.out_of_scope, self.unknown + len(self.in_scope) - len(kept))


def load_eval(path: Path, part: str = "all") -> EvalSet:
    """The calibration lists, the held-out lists, or both (see tests/data/faq_eval.yaml).

    "fresh" is the newest held-out batch alone (`held_out.fresh`), which is also part of "held-out".
    """
    if part not in PARTS:
        raise ValueError(f"part must be one of {', '.join(PARTS)}, not {part!r}")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    held = data.get("held_out") or {}
    fresh = held.get("fresh") or {}
    sections = {"calibration": [data], "held-out": [held, fresh], "fresh": [fresh],
                "all": [data, held, fresh]}[part]
    return EvalSet([(str(row["q"]), str(row["id"])) for s in sections for row in s.get("in_scope", [])],
                   [str(q) for s in sections for q in s.get("out_of_scope", [])])


def reported_id(match: FaqMatch) -> str | None:
    """The id `coachbot faq match` prints: the answer, or the first choice when it asks; None on fallback."""
    if match.entry is not None:
        return match.entry.id
    if match.ambiguous and match.candidates:
        return match.candidates[0].id
    return None


def offered(match: FaqMatch) -> set[str]:
    """Every topic the learner sees: the answer, or the choices offered."""
    return {match.entry.id} if match.entry is not None else {e.id for e in match.candidates}


@dataclass
class Quality:
    accuracy: float  # in-scope questions whose reported id is right (a fallback is wrong)
    rejection: float  # out-of-scope questions that fall back
    coverage: float  # in-scope questions whose right topic is answered or among the choices
    top3: float  # in-scope questions whose right topic ranks in the top three at all
    ambiguous: float  # in-scope questions answered with a choice between close topics
    outright: float  # in-scope questions answered right without asking
    precision: float  # of every question answered without asking (in scope or not), the share right
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)  # (expected, got)
    accepted: list[tuple[str, str]] = field(default_factory=list)  # out-of-scope, wrongly answered


@dataclass(frozen=True)
class Ranked:
    """Rankings for a whole evaluation set, computed once so thresholds can be swept cheaply."""

    entries: Sequence[FaqEntry]
    in_scope: list[tuple[str, str, Ranking]]
    out_of_scope: list[tuple[str, Ranking]]


def rank_all(matcher: RankingMatcher, evaluation: EvalSet) -> Ranked:
    return Ranked(matcher.entries,
                  [(q, gold, matcher.rank(q)) for q, gold in evaluation.in_scope],
                  [(q, matcher.rank(q)) for q in evaluation.out_of_scope])


def _top3(entries: Sequence[FaqEntry], ranking: Ranking) -> set[str]:
    return {entries[i].id for i in leaders(ranking.scores, 3)}


def measure(ranked: Ranked, policy: Thresholds) -> Quality:
    entries = ranked.entries
    right = outright = covered = top3 = ambiguous = answered = 0
    confusions: Counter[tuple[str, str]] = Counter()
    for question, gold, ranking in ranked.in_scope:
        match = decide(question, entries, ranking, policy)
        got = reported_id(match)
        right += got == gold
        outright += match.entry is not None and match.entry.id == gold
        covered += gold in offered(match)
        top3 += gold in _top3(entries, ranking)
        ambiguous += match.ambiguous
        if got != gold:
            confusions[(gold, got or "(fallback)")] += 1
        answered += match.entry is not None
    accepted = []
    for question, ranking in ranked.out_of_scope:
        match = decide(question, entries, ranking, policy)
        answered += match.entry is not None
        got = reported_id(match)
        if got is not None:
            accepted.append((question, got))
    n_in, n_out = max(1, len(ranked.in_scope)), max(1, len(ranked.out_of_scope))
    return Quality(right / n_in, 1 - len(accepted) / n_out, covered / n_in, top3 / n_in,
                   ambiguous / n_in, outright / n_in, outright / max(1, answered), confusions, accepted)
