"""Retention: finished outbox rows and handled inbound events older than the retention period
are deleted, a small batch per transaction, so the tables stay bounded and no delete holds a
lock for long. Pending, claimed, sending and uncertain rows are never pruned.

Outbox rows are picked by (status, next_attempt_at), which the due-rows index already
serves; inbound events by their claim time (indexed).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot import metrics
from coachbot.store.models import InboundEvent, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)
BATCH = 1000
FINISHED = (OutboxStatus.SENT, OutboxStatus.SKIPPED, OutboxStatus.FAILED)


async def _prune_batch(session: AsyncSession, table: Any, keys: tuple[Any, ...], condition: Any,
                       batch: int) -> int:
    found = [tuple(row) for row in await session.execute(select(*keys).where(*condition).limit(batch))]
    if not found:
        return 0
    await session.execute(delete(table).where(tuple_(*keys).in_(found))
                          .execution_options(synchronize_session=False))
    return len(found)


async def prune(sessions: async_sessionmaker[AsyncSession], now: datetime, keep: timedelta,
                batch: int = BATCH) -> dict[str, int]:
    """Delete what is older than `keep`; returns how many rows went from each table."""
    cutoff = now - keep
    outbox = [OutboxMessage.status.in_(FINISHED), OutboxMessage.next_attempt_at < cutoff]
    events = [InboundEvent.done_at.is_not(None), InboundEvent.claimed_at < cutoff]
    removed = {"outbox": 0, "inbound_events": 0}
    tables = (("outbox", OutboxMessage, (OutboxMessage.id,), outbox),
              ("inbound_events", InboundEvent, (InboundEvent.platform, InboundEvent.event_id), events))
    for name, table, keys, condition in tables:
        while True:
            async with sessions() as session, session.begin():
                count = await _prune_batch(session, table, keys, condition, batch)
            removed[name] += count
            metrics.PRUNED.labels(name).inc(count)
            if count < batch:
                break
            await asyncio.sleep(0)  # let chats and sends in between batches
    if any(removed.values()):
        log.info("retention: removed %d outbox row(s) and %d inbound event(s) older than %d days",
                 removed["outbox"], removed["inbound_events"], keep.days)
    return removed
