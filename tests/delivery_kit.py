"""Helpers for delivery tests: learners who onboard through the coach, and a recording messenger."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.clock import FakeClock
from coachbot.conversation import Coach
from coachbot.delivery.limits import Throttles
from coachbot.delivery.policy import Policy
from coachbot.delivery.service import DeliveryService
from coachbot.delivery.testing import RecordingMessenger
from coachbot.messages import Outgoing
from coachbot.store.models import Learner, OutboxMessage, TrackProgress
from tests.conftest import Chat

QUIET = (time(21, 0), time(8, 0))
POLICY = Policy(quiet_hours=QUIET, reminder_after=timedelta(hours=4), concurrency=4)


class Town:
    """Learners of one platform ("test") and the scheduler that serves them."""

    def __init__(self, coach: Coach, clock: FakeClock, policy: Policy = POLICY) -> None:
        self.coach = coach
        self.clock = clock
        self.policy = policy
        self.messenger = RecordingMessenger("test")
        self.chats: dict[str, Chat] = {}
        self.service = self.restart()

    def restart(self) -> DeliveryService:
        """A fresh service, as after a process restart (nothing kept in memory)."""
        self.service = DeliveryService(self.coach, {"test": self.messenger}, Throttles({}), self.policy)
        return self.service

    async def learner(self, user: str, zone: str, at: str, track: str = "") -> Chat:
        chat = self.chats[user] = Chat(self.coach, user=user, timezone=zone)
        await chat.onboard(track=track, zone=zone, at=at)
        return chat

    async def wait(self, delta: timedelta) -> None:
        await self.service.advance(self.clock, delta)

    async def wait_until(self, zone: str, when: str) -> None:
        """Advance to the next wall-clock `when` (ISO 'YYYY-MM-DDTHH:MM') in `zone`."""
        target = datetime.fromisoformat(when).replace(tzinfo=ZoneInfo(zone))
        await self.wait(target - self.clock.now())

    def received(self, user: str, kind: str = "lesson") -> list[Outgoing]:
        return [out for out in self.messenger.to(user) if out.metadata["kind"] == kind]

    def lessons(self, user: str) -> list[str]:
        return [out.reply.lesson.lesson_id for out in self.received(user) if out.reply.lesson]

    def local_times(self, user: str, kind: str = "lesson") -> list[str]:
        """When each message arrived, as local 'YYYY-MM-DD HH:MM' in the learner's zone."""
        return [datetime.fromisoformat(out.metadata["local_time"]).strftime("%Y-%m-%d %H:%M")
                for out in self.received(user, kind)]


async def rows(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def learner(sessions: async_sessionmaker[AsyncSession], user: str) -> Learner:
    async with sessions() as session:
        found = await session.scalar(select(Learner).where(Learner.platform_user_id == user))
        assert found is not None
        return found


async def add_learners(sessions: async_sessionmaker[AsyncSession], count: int, *, platform: str,
                       zone: str, at: str, now: datetime, prefix: str = "u") -> list[str]:
    """`count` active learners who finished onboarding earlier; returns their chat ids."""
    chats = [f"{prefix}{i}" for i in range(count)]
    async with sessions() as session, session.begin():
        session.add_all(Learner(platform=platform, platform_user_id=chat, chat_id=chat,
                                display_name=chat, timezone=zone, delivery_time=at,
                                current_track="first-week", status="active", reminders=True,
                                unreachable=False, created_at=now, last_seen_at=now)
                        for chat in chats)
        await session.flush()
        ids = await session.scalars(select(Learner.id).where(Learner.platform_user_id.in_(chats)))
        session.add_all(TrackProgress(learner_id=learner_id, track_id="first-week", position=0)
                        for learner_id in ids)
    return chats
