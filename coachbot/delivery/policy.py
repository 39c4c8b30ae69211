"""The knobs of delivery, read once from settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from coachbot.delivery.window import Window
from coachbot.settings import Settings


@dataclass(frozen=True)
class DeliveryPolicy:
    quiet_hours: Window | None = None
    reminder_after: timedelta | None = timedelta(hours=4)
    # None: transient errors are retried for as long as the message may still go out that day.
    max_attempts: int | None = None
    concurrency: int = 8
    first_backoff: timedelta = timedelta(seconds=30)
    max_backoff: timedelta = timedelta(minutes=10)
    # A worker renews the lease of the rows it holds every third of this; a lease that ran
    # out belongs to a worker that died, and another worker recovers its rows.
    lease: timedelta = timedelta(seconds=60)
    retention: timedelta | None = timedelta(days=90)

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliveryPolicy:
        return cls(quiet_hours=settings.quiet_hours, reminder_after=settings.reminder_after,
                   max_attempts=settings.delivery_max_attempts or None,
                   concurrency=settings.delivery_concurrency,
                   retention=settings.retention)

    def backoff(self, attempts: int) -> timedelta:
        """30 s, 1 min, 2 min, ... up to the cap (10 min), after the given number of failed attempts."""
        doublings = min(max(0, attempts - 1), 30)  # past the cap long before 2**30
        grown: timedelta = self.first_backoff * 2 ** doublings
        return min(grown, self.max_backoff)
