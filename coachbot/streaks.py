"""Streaks: consecutive local days with at least one completed lesson."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Streak:
    days: int
    graced: tuple[date, ...] = ()

    @property
    def grace_used(self) -> bool:
        return bool(self.graced)


def current_streak(done_days: Iterable[date], today: date, grace_every: int = 0,
                   paused: Iterable[date] = ()) -> Streak:
    """Count the run of active days ending today (or yesterday, while today is still open).

    With `grace_every` = 7, one missed day in any 7-day window is forgiven and does not
    break the run; forgiven days are not counted as active. Days in `paused` (lessons were
    paused) are frozen: without a lesson done they neither count nor break the run.
    """
    days = set(done_days)
    frozen = set(paused) - days
    cursor = today if today in days else today - timedelta(days=1)
    count = 0
    graced: list[date] = []
    while True:
        if cursor in days:
            count += 1
        elif cursor in frozen:
            frozen.discard(cursor)
        elif grace_every and count and cursor - timedelta(days=1) in days and all(
            abs((cursor - g).days) >= grace_every for g in graced
        ):
            graced.append(cursor)
        else:
            break
        cursor -= timedelta(days=1)
    return Streak(count, tuple(graced))
