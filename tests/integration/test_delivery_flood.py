"""A flood wait for the whole bot (a 429 not about one chat) holds back every send, not just
the chat that met it, and every message still goes out once afterwards."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.content import Content
from coachbot.conversation import Coach
from coachbot.delivery.limits import PlatformLimits, Rate, Throttles
from coachbot.faq import LexicalMatcher
from coachbot.store.models import OutboxMessage
from tests.delivery_kit import POLICY, add_learners, delivery_for
from tests.fakes import FakePlatform, HttpMessenger, PlatformRules

LEARNERS = 60
DUE = datetime.fromisoformat("2026-03-03T09:00+00:00")


class RunningClock:
    """Real time passing from the due minute, so retry-afters are waited for real."""

    def __init__(self) -> None:
        self.began = time.monotonic()

    def now(self) -> datetime:
        return DUE + timedelta(seconds=time.monotonic() - self.began)


async def test_a_flood_wait_slows_every_send_then_all_go_out_once(
        sessions: async_sessionmaker[AsyncSession], content: Content) -> None:
    chats = await add_learners(sessions, LEARNERS, platform="fakechat", zone="UTC", at="09:00",
                               now=DUE - timedelta(days=1))
    coach = Coach(content, sessions, RunningClock(), LexicalMatcher(content.faq))
    # Fast pacing (200/s) makes a bot that ignored the flood wait send hundreds into it.
    limits = {"fakechat": PlatformLimits(overall=Rate(200, 1), per_chat=Rate(1, 1))}
    rules = PlatformRules(flood_after=20, flood_seconds=2.0, flood_retry_after=1.0)
    platform = FakePlatform(rules)
    with platform.running():
        service = delivery_for(coach, {"fakechat": HttpMessenger(platform.url)}, Throttles(limits),
                                  POLICY)
        async with asyncio.timeout(120):
            while platform.count() < LEARNERS:
                await service.step()
                await asyncio.sleep(0.1)
    assert 1 <= platform.rate_limited <= 3 * POLICY.concurrency  # not 200/s for 2 s
    assert sorted(Counter(r.chat_id for r in platform.received)) == sorted(chats)
    assert max(Counter(r.chat_id for r in platform.received).values()) == 1
    async with sessions() as session:
        assert set((await session.scalars(select(OutboxMessage.status))).all()) == {"sent"}
