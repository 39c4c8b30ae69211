"""The scheduler: APScheduler (3.x) interval jobs that tick the delivery service and prune.

The jobs hold no data; the outbox does. Beside the interval it listens for work queued to go
out now (a mentor's push) and sends that at once. Several processes may each run one, because claims go
through the database. A tick that finds the database away logs it once and tries again on
the next tick; the outage's end is logged too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from coachbot.delivery.dispatcher import DATABASE_DOWN
from coachbot.delivery.service import DeliveryService
from coachbot.queued import WorkQueued

log = logging.getLogger(__name__)
TICK = "delivery-tick"
WAKE = "delivery-wake"
PRUNE = "retention"
PRUNE_EVERY = timedelta(hours=1)


class Scheduler:
    def __init__(self, service: DeliveryService, tick_seconds: float = 20,
                 queued: WorkQueued | None = None) -> None:
        self.service = service
        self.tick_seconds = tick_seconds
        self.queued = queued
        self._aps: AsyncIOScheduler | None = None
        self._work: asyncio.Task[None] | None = None
        self._listening: asyncio.Task[None] | None = None
        self._again = False
        self._failing = False
        self.last_error: str | None = None

    @property
    def running(self) -> bool:
        return self._aps is not None

    async def start(self) -> None:
        """Record rows an earlier process left mid-send, then tick now and every interval."""
        if self._aps is not None:
            return
        self.service.dispatcher.stopping = False
        try:
            recovered = await self.service.recover()
        except DATABASE_DOWN as error:  # the first pass recovers what has a lapsed lease
            log.warning("could not look for messages an earlier run left mid-send: %s", error)
            recovered = 0
        if recovered:
            log.warning("%d message(s) were being sent when the last run stopped; recorded as "
                        "uncertain and not sent again", recovered)
        self._aps = AsyncIOScheduler(timezone=UTC)
        self._aps.add_job(self.tick, IntervalTrigger(seconds=self.tick_seconds), id=TICK,
                          next_run_time=datetime.now(UTC), max_instances=1, coalesce=True,
                          misfire_grace_time=None)
        self._aps.add_job(self.prune, IntervalTrigger(seconds=PRUNE_EVERY.total_seconds()), id=PRUNE,
                          next_run_time=datetime.now(UTC) + timedelta(minutes=1), max_instances=1,
                          coalesce=True, misfire_grace_time=None)
        self._aps.start()
        if self.queued is not None:
            self._listening = asyncio.create_task(self._listen(self.queued))

    async def _listen(self, queued: WorkQueued) -> None:
        """Tick whenever work is queued to go out now, not only at the next interval."""
        while True:
            await queued.heard()
            await self.tick()

    async def stop(self) -> None:
        """Stop ticking, claim nothing new, and let the sends in flight finish."""
        if self._aps is None:
            return
        aps, self._aps = self._aps, None
        aps.shutdown(wait=False)
        if self._listening is not None:
            listening, self._listening = self._listening, None
            listening.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listening
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

    async def idle(self) -> None:
        """Return once the round in progress, if any, has finished."""
        if self._work is not None:
            await asyncio.shield(self._work)

    async def _run(self) -> None:
        while self._again and self._aps is not None:
            self._again = False  # a tick during this round asks for one more round
            try:
                await self.service.plan()
                await self.service.dispatch()
            except DATABASE_DOWN as error:
                self._failed(error)
            except Exception as error:
                log.exception("delivering failed; trying again on the next tick")
                self.last_error = f"{type(error).__name__}: {error}"
            else:
                if self._failing:
                    log.info("delivering again: the database is back")
                self._failing, self.last_error = False, None
        await self._wake_for_retries()

    def _failed(self, error: BaseException) -> None:
        self.last_error = f"{type(error).__name__}: {error}"[:300]
        if not self._failing:
            log.warning("the database is unreachable; delivering again when it is back (every "
                        "%gs): %s", self.tick_seconds, self.last_error)
        self._failing = True

    async def prune(self) -> None:
        """Retention, once an hour: old finished rows go in small batches."""
        try:
            await self.service.prune()
        except DATABASE_DOWN as error:
            log.warning("retention skipped this hour: %s", type(error).__name__)

    async def _wake_for_retries(self) -> None:
        """A retry due before the next tick (after a short retry-after) gets its own wake-up."""
        if self._aps is None:
            return
        try:
            wake = await self.service.next_retry()
        except DATABASE_DOWN:
            return  # said already; the next tick tries again
        except Exception:
            log.exception("looking up the next retry failed")
            return
        if wake is None or self._aps is None:
            return
        delay = max(timedelta(0), wake - self.service.clock.now())  # in the service's own time
        if delay < timedelta(seconds=self.tick_seconds):
            self._aps.add_job(self.tick, DateTrigger(run_date=datetime.now(UTC) + delay), id=WAKE,
                              replace_existing=True, misfire_grace_time=None)
