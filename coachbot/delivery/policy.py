"""The knobs of delivery, read once from settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from coachbot.delivery.window import Window
from coachbot.settings import Settings


@dataclass(frozen=True)
class Policy:
    quiet_hours: Window | None = None
    reminder_after: timedelta | None = timedelta(hours=4)
    max_attempts: int = 5
    concurrency: int = 8
    first_backoff: timedelta = timedelta(seconds=30)
    max_backoff: timedelta = timedelta(minutes=30)
    # A row still "sending" this long after its claim belongs to a process that died.
    lease: timedelta = timedelta(minutes=10)

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        return cls(quiet_hours=settings.quiet_hours, reminder_after=settings.reminder_after,
                   max_attempts=settings.delivery_max_attempts,
                   concurrency=settings.delivery_concurrency)

    def backoff(self, attempts: int) -> timedelta:
        """30 s, 1 min, 2 min, ... up to the cap, after the given number of failed attempts."""
        grown: timedelta = self.first_backoff * 2 ** max(0, attempts - 1)
        return min(grown, self.max_backoff)
