"""Each request a platform sends is handled once, however often it arrives.

Platforms deliver again whatever they think went unanswered (Slack's retries, Telegram's
webhook), and anyone holding a signed request can replay it. Every adapter names each
request by a key that stays the same across deliveries (Slack's event id or trigger id,
Telegram's update id) and claims that key here before acting on it.

A repeat is dropped at once when this process already took the key on (`take`, in memory);
otherwise the work claims the key in the database first (`claim`), so another process, or
this one after a restart, also handles it once. A claim is released when handling fails,
and a claim left unfinished past `lease` (the process died) may be taken over, so a retry
of a request that was never handled is handled.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.clock import Clock
from coachbot.store.inserts import insert_skipping_duplicates
from coachbot.store.models import InboundEvent

# Platforms retry within minutes (Slack: at once, +1 min, +5 min); keep keys well past that.
KEEP = timedelta(hours=24)
LEASE = timedelta(seconds=90)
REMEMBER = timedelta(hours=1)
MAX_IN_MEMORY = 10_000
PRUNE_EVERY = 500
KEY_LENGTH = 128  # inbound_events.event_id


def ledger_key(raw: object) -> str:
    """A key the table can hold: short printable ASCII as it is, anything else as its digest.

    Keys come from request bodies: a signed body may still carry a NUL (which PostgreSQL
    refuses in text) or a key longer than the column.
    """
    text = str(raw)
    if len(text) <= KEY_LENGTH and text.isascii() and text.isprintable():
        return text
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class InboundLedger:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock, platform: str,
                 keep: timedelta = KEEP, lease: timedelta = LEASE) -> None:
        self.sessions = sessions
        self.clock = clock
        self.platform = platform
        self.keep = keep
        self.lease = lease
        self._taken: dict[str, datetime] = {}
        self._claims = 0

    def take(self, key: str) -> bool:
        """In memory, before the platform gets its answer: False when this process has it already."""
        key = ledger_key(key)
        now = self.clock.now()
        if len(self._taken) > MAX_IN_MEMORY:  # the database still knows the older ones
            self._taken = {k: t for k, t in self._taken.items() if now - t < REMEMBER}
            if len(self._taken) > MAX_IN_MEMORY:
                self._taken.clear()
        if key in self._taken:
            return False
        self._taken[key] = now
        return True

    async def claim(self, key: str) -> bool:
        """In the database, before the work: False when it was handled (or is being) elsewhere."""
        key = ledger_key(key)
        try:
            return await self._claim(key, self.clock.now())
        except BaseException:  # nothing was handled: a retry should be
            self._taken.pop(key, None)
            raise

    async def _claim(self, key: str, now: datetime) -> bool:
        async with self.sessions() as session, session.begin():
            inserted = await session.execute(insert_skipping_duplicates(session, InboundEvent).values(
                platform=self.platform, event_id=key, claimed_at=now))
            if getattr(inserted, "rowcount", 0):
                claimed = True
            else:
                taken_over = await session.execute(
                    update(InboundEvent)
                    .where(InboundEvent.platform == self.platform, InboundEvent.event_id == key,
                           InboundEvent.done_at.is_(None), InboundEvent.claimed_at < now - self.lease)
                    .values(claimed_at=now))
                claimed = bool(getattr(taken_over, "rowcount", 0))
                if not claimed and await session.scalar(select(InboundEvent.done_at).where(
                        InboundEvent.platform == self.platform, InboundEvent.event_id == key)) is None:
                    self._taken.pop(key, None)  # still being handled elsewhere: ask again next retry
        await self._maybe_prune(now)
        return claimed

    async def done(self, key: str) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(InboundEvent)
                .where(InboundEvent.platform == self.platform, InboundEvent.event_id == ledger_key(key))
                .values(done_at=self.clock.now()))

    async def release(self, key: str) -> None:
        """Handling failed: a retry of this request should be handled."""
        key = ledger_key(key)
        self._taken.pop(key, None)
        async with self.sessions() as session, session.begin():
            await session.execute(delete(InboundEvent).where(InboundEvent.platform == self.platform,
                                                             InboundEvent.event_id == key,
                                                             InboundEvent.done_at.is_(None)))

    async def _maybe_prune(self, now: datetime) -> None:
        self._claims += 1
        if self._claims % PRUNE_EVERY:
            return
        async with self.sessions() as session, session.begin():
            await session.execute(delete(InboundEvent).where(InboundEvent.platform == self.platform,
                                                             InboundEvent.claimed_at < now - self.keep))
