"""Planner and dispatcher together: one step plans what has come due, then sends it."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.clock import Clock
from coachbot.delivery.dispatcher import Dispatcher
from coachbot.delivery.limits import Throttles
from coachbot.delivery.outcomes import PassReport
from coachbot.delivery.planner import Planner
from coachbot.delivery.policy import DeliveryPolicy
from coachbot.delivery.ports import Messenger
from coachbot.delivery.retention import prune
from coachbot.learning import coaching
from coachbot.learning.progression import Progression
from coachbot.store import outbox
from coachbot.store.outbox import Scope

# On a simulated clock a row that stays due (its worker hit a database clash) is tried again
# this much later, so stepping always moves on (see coachbot_console.simulated.advance).
MIN_STEP = timedelta(minutes=1)


@dataclass
class StepReport:
    planned: int
    sent: PassReport


class DeliveryService:
    def __init__(self, progression: Progression, sessions: async_sessionmaker[AsyncSession],
                 clock: Clock, messengers: Mapping[str, Messenger], throttles: Throttles,
                 policy: DeliveryPolicy, scope: Scope | None = None) -> None:
        self.clock = clock
        self.sessions = sessions
        self.scope = scope or Scope(frozenset(messengers))
        self.policy = policy
        composer = coaching.composer(progression)
        self.planner = Planner(progression.content, sessions, policy, self.scope, composer)
        self.dispatcher = Dispatcher(progression, sessions, clock, messengers, throttles, policy,
                                     self.scope, composer)
        self._planning = asyncio.Lock()

    async def recover(self) -> int:
        return await self.dispatcher.recover()

    async def plan(self) -> int:
        async with self._planning:
            return await self.planner.plan(self.clock.now())

    async def dispatch(self) -> PassReport:
        return await self.dispatcher.run()

    async def prune(self) -> dict[str, int]:
        """Delete finished rows older than the retention period (nothing when it is off)."""
        if self.policy.retention is None:
            return {}
        return await prune(self.sessions, self.clock.now(), self.policy.retention)

    async def step(self) -> StepReport:
        planned = await self.plan()
        return StepReport(planned, await self.dispatch())

    async def next_retry(self) -> datetime | None:
        """When the earliest planned row is due (for waking up sooner than the next tick)."""
        async with self.sessions() as session:
            return await outbox.earliest_pending(session, self.scope)

    async def next_wake(self) -> datetime | None:
        """The next instant after now when anything is due: a row, a lesson time, a reminder."""
        now = self.clock.now()
        found = [await self.next_retry(), await self.planner.next_due(now)]
        times = [t if t > now else now + MIN_STEP for t in found if t is not None]
        return min(times) if times else None
