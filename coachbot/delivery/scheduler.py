"""The scheduler: one APScheduler (3.x) interval job that ticks the delivery service.

The job holds no data; the outbox does. Several processes may each run one, because claims go
through the database.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from coachbot.delivery.service import DeliveryService

log = logging.getLogger(__name__)
TICK = "delivery-tick"
WAKE = "delivery-wake"


class Scheduler:
    def __init__(self, service: DeliveryService, tick_seconds: float = 20) -> None:
        self.service = service
        self.tick_seconds = tick_seconds
        self._aps: AsyncIOScheduler | None = None
        self._work: asyncio.Task[None] | None = None
        self._again = False

    @property
    def running(self) -> bool:
        return self._aps is not None

    async def start(self) -> None:
        """Record rows an earlier process left mid-send, then tick now and every interval."""
        if self._aps is not None:
            return
        self.service.dispatcher.stopping = False
        recovered = await self.service.recover()
        if recovered:
            log.warning("%d message(s) were being sent when the last run stopped; recorded as "
                        "uncertain and not sent again", recovered)
        self._aps = AsyncIOScheduler(timezone=UTC)
        self._aps.add_job(self.tick, IntervalTrigger(seconds=self.tick_seconds), id=TICK,
                          next_run_time=datetime.now(UTC), max_instances=1, coalesce=True,
                          misfire_grace_time=None)
        self._aps.start()

    async def stop(self) -> None:
        """Stop ticking, claim nothing new, and let the sends in flight finish."""
        if self._aps is None:
            return
        aps, self._aps = self._aps, None
        aps.shutdown(wait=False)
        self.service.dispatcher.stopping = True
        if self._work is not None:
            await self._work

    async def tick(self) -> None:
        """Plan and send what is due; returns at once, the work goes on in the scheduler's task.

        Safe to call any time (a mentor's push can call it to go out now); before start and
        after stop it does nothing.
        """
        if self._aps is None:
            return
        self._again = True
        if self._work is None or self._work.done():
            self._work = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while self._again and self._aps is not None:
            self._again = False  # a tick during this round asks for one more round
            try:
                await self.service.plan()
                await self.service.dispatch()
            except Exception:
                log.exception("delivering failed; trying again on the next tick")
        await self._wake_for_retries()

    async def _wake_for_retries(self) -> None:
        """A retry due before the next tick (after a short retry-after) gets its own wake-up."""
        if self._aps is None:
            return
        try:
            wake = await self.service.next_retry()
        except Exception:
            log.exception("looking up the next retry failed")
            return
        if wake is None or self._aps is None:
            return
        delay = max(timedelta(0), wake - self.service.clock.now())  # in the service's own time
        if delay < timedelta(seconds=self.tick_seconds):
            self._aps.add_job(self.tick, DateTrigger(run_date=datetime.now(UTC) + delay), id=WAKE,
                              replace_existing=True, misfire_grace_time=None)
