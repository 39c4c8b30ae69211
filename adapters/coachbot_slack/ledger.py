"""Slack retries an event it thinks went unanswered; each event is handled once all the same.

Bolt does not dedupe. A retry is dropped at once (before the ack) when this process already
took the event on; otherwise the work claims the event id in the database first, so another
process, or this one after a restart, also answers it once. A claim is released when handling
fails, and a claim left unfinished past `lease` (the process died) may be taken over, so a
retry of an event that was never handled is handled.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.clock import Clock
from coachbot.store.models import InboundEvent

log = logging.getLogger(__name__)
# Slack retries within minutes (at once, +1 min, +5 min); keep ids well past that.
KEEP = timedelta(hours=24)
LEASE = timedelta(seconds=90)
REMEMBER = timedelta(hours=1)
MAX_IN_MEMORY = 10_000
PRUNE_EVERY = 500


def event_id_of(body: dict[str, object]) -> str | None:
    if body.get("type") != "event_callback":
        return None
    event_id = body.get("event_id")
    return str(event_id) if event_id else None


class EventLedger:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock,
                 platform: str = "slack", keep: timedelta = KEEP, lease: timedelta = LEASE) -> None:
        self.sessions = sessions
        self.clock = clock
        self.platform = platform
        self.keep = keep
        self.lease = lease
        self._taken: dict[str, datetime] = {}
        self._claims = 0

    def take(self, event_id: str) -> bool:
        """In memory, before the ack: False when this process already has the event."""
        now = self.clock.now()
        if len(self._taken) > MAX_IN_MEMORY:  # the database still knows the older ones
            self._taken = {k: t for k, t in self._taken.items() if now - t < REMEMBER}
            if len(self._taken) > MAX_IN_MEMORY:
                self._taken.clear()
        if event_id in self._taken:
            return False
        self._taken[event_id] = now
        return True

    async def claim(self, event_id: str) -> bool:
        """In the database, after the ack: False when the event was handled (or is being) elsewhere."""
        try:
            return await self._claim(event_id, self.clock.now())
        except BaseException:  # nothing was handled: a retry should be
            self._taken.pop(event_id, None)
            raise

    async def _claim(self, event_id: str, now: datetime) -> bool:
        async with self.sessions() as session, session.begin():
            dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
            inserted = await session.execute(
                dialect.insert(InboundEvent).values(platform=self.platform, event_id=event_id,
                                                    claimed_at=now).on_conflict_do_nothing())
            if getattr(inserted, "rowcount", 0):
                claimed = True
            else:
                taken_over = await session.execute(
                    update(InboundEvent)
                    .where(InboundEvent.platform == self.platform, InboundEvent.event_id == event_id,
                           InboundEvent.done_at.is_(None), InboundEvent.claimed_at < now - self.lease)
                    .values(claimed_at=now))
                claimed = bool(getattr(taken_over, "rowcount", 0))
                if not claimed and await session.scalar(select(InboundEvent.done_at).where(
                        InboundEvent.platform == self.platform, InboundEvent.event_id == event_id)) is None:
                    self._taken.pop(event_id, None)  # still being handled elsewhere: ask again next retry
        await self._maybe_prune(now)
        return claimed

    async def done(self, event_id: str) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(InboundEvent)
                .where(InboundEvent.platform == self.platform, InboundEvent.event_id == event_id)
                .values(done_at=self.clock.now()))

    async def release(self, event_id: str) -> None:
        """Handling failed: a retry of this event should be handled."""
        self._taken.pop(event_id, None)
        async with self.sessions() as session, session.begin():
            await session.execute(delete(InboundEvent).where(InboundEvent.platform == self.platform,
                                                             InboundEvent.event_id == event_id,
                                                             InboundEvent.done_at.is_(None)))

    async def _maybe_prune(self, now: datetime) -> None:
        self._claims += 1
        if self._claims % PRUNE_EVERY:
            return
        async with self.sessions() as session, session.begin():
            await session.execute(delete(InboundEvent).where(InboundEvent.platform == self.platform,
                                                             InboundEvent.claimed_at < now - self.keep))


class DropRetries(AsyncMiddleware):
    """Answers a repeated event with a bare 200, so Slack stops retrying and nothing runs twice."""

    def __init__(self, ledger: EventLedger) -> None:
        self.ledger = ledger

    async def async_process(self, *, req: AsyncBoltRequest, resp: BoltResponse,
                            next: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:
        event_id = event_id_of(req.body)
        if event_id is not None and not self.ledger.take(event_id):
            retry = (req.headers.get("x-slack-retry-num") or ["?"])[0]
            log.info("Slack event %s delivered again (retry %s): already handled", event_id, retry)
            return BoltResponse(status=200, body="")
        await next()
        return resp
