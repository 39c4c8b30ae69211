"""The database goes away in the middle of a broadcast and comes back: nothing is left
"sending", what was sent meanwhile is recorded as sent, and nobody gets a lesson twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.clock import SimulatedClock
from coachbot.content import Content
from coachbot.conversation import Coach
from coachbot.delivery.dispatcher import DATABASE_DOWN
from coachbot.delivery.limits import Throttles
from coachbot.faq import LexicalMatcher
from coachbot.messages import Outgoing
from coachbot.store.database import make_engine, make_sessionmaker
from coachbot.store.models import LessonRecord, OutboxMessage
from tests.conftest import PG_URL
from tests.delivery_kit import POLICY, Gate, add_learners, delivery_for
from tests.fakes import RecordingMessenger

LEARNERS = 60


class CuttingMessenger(RecordingMessenger):
    """The platform takes every message; after the 20th, the database goes away."""

    def __init__(self, gate: Gate) -> None:
        super().__init__("test")
        self.gate = gate
        self.sent_while_down = 0

    async def send(self, out: Outgoing) -> str | None:
        if len(self.sent) == 20:
            await self.gate.close()
        if self.gate.closed:
            self.sent_while_down += 1
        return await super().send(out)


@pytest.fixture
async def gated(postgres_ready: str) -> AsyncIterator[tuple[Gate, async_sessionmaker[AsyncSession]]]:
    url = make_url(postgres_ready)
    gate = Gate(url.port or 5432, url.host or "127.0.0.1")
    await gate.open()
    engine = make_engine(url.set(port=gate.port).render_as_string(hide_password=False))
    yield gate, make_sessionmaker(engine)
    await gate.close()
    await engine.dispose()


@pytest.mark.parametrize("database_url", ["postgres"] if PG_URL else [], indirect=True)
async def test_a_database_outage_mid_broadcast_heals_without_losing_or_doubling(
        database_url: str, sessions: async_sessionmaker[AsyncSession], content: Content,
        gated: tuple[Gate, async_sessionmaker[AsyncSession]]) -> None:
    gate, through_gate = gated
    chats = await add_learners(sessions, LEARNERS, platform="test", zone="UTC", at="09:00",
                               now=datetime.fromisoformat("2026-03-02T12:00+00:00"))
    clock = SimulatedClock(datetime.fromisoformat("2026-03-03T09:00+00:00"))
    coach = Coach(content, through_gate, clock, LexicalMatcher(content.faq))
    messenger = CuttingMessenger(gate)
    service = delivery_for(coach, {"test": messenger}, Throttles({}), POLICY)

    first = await service.step()  # the database goes away after 20 sends
    assert first.sent.errors and messenger.sent_while_down >= 1
    with pytest.raises(DATABASE_DOWN):  # still away: the next tick fails fast, and is tried again
        await service.step()
    await gate.open()
    await service.step()  # back: what was sent meanwhile is recorded, the rest goes out
    await service.step()

    received = Counter(out.chat_id for out in messenger.sent)
    assert sorted(received) == sorted(chats) and set(received.values()) == {1}
    async with sessions() as session:
        statuses = Counter((await session.scalars(select(OutboxMessage.status))).all())
        records = await session.scalar(select(func.count()).select_from(LessonRecord))
    assert statuses == {"sent": LEARNERS}  # none "sending", none "uncertain": they did arrive
    assert records == LEARNERS
