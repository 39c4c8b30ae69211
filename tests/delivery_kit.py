"""Helpers for delivery tests: learners who onboard through the coach, and a recording messenger."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from coachbot_console.simulated import advance
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.clock import SimulatedClock
from coachbot.conversation import Coach
from coachbot.delivery.limits import Throttles
from coachbot.delivery.policy import DeliveryPolicy
from coachbot.delivery.ports import Messenger
from coachbot.delivery.service import DeliveryService
from coachbot.messages import Outgoing
from coachbot.store.models import Confidence, Learner, OutboxMessage, TrackProgress
from tests.conftest import Chat
from tests.fakes import RecordingMessenger

QUIET = (time(21, 0), time(8, 0))
POLICY = DeliveryPolicy(quiet_hours=QUIET, reminder_after=timedelta(hours=4), concurrency=4)


def delivery_for(coach: Coach, messengers: Mapping[str, Messenger], throttles: Throttles,
                 policy: DeliveryPolicy = POLICY) -> DeliveryService:
    """A delivery service over the same database, clock and curriculum as `coach`."""
    return DeliveryService(coach.progression, coach.sessions, coach.clock, messengers, throttles, policy)


class Town:
    """Learners of one platform ("test") and the scheduler that serves them."""

    def __init__(self, coach: Coach, clock: SimulatedClock, policy: DeliveryPolicy = POLICY) -> None:
        self.coach = coach
        self.clock = clock
        self.policy = policy
        self.messenger = RecordingMessenger("test")
        self.chats: dict[str, Chat] = {}
        self.service = self.restart()

    def restart(self) -> DeliveryService:
        """A fresh service, as after a process restart (nothing kept in memory)."""
        self.service = delivery_for(self.coach, {"test": self.messenger}, Throttles({}), self.policy)
        return self.service

    async def learner(self, user: str, zone: str, at: str, track: str = "") -> Chat:
        chat = self.chats[user] = Chat(self.coach, user=user, timezone=zone)
        await chat.onboard(track=track, zone=zone, at=at)
        return chat

    async def wait(self, delta: timedelta) -> None:
        await advance(self.service, self.clock, delta)

    async def wait_until(self, zone: str, when: str) -> None:
        """Advance to the next wall-clock `when` (ISO 'YYYY-MM-DDTHH:MM') in `zone`."""
        target = datetime.fromisoformat(when).replace(tzinfo=ZoneInfo(zone))
        await self.wait(target - self.clock.now())

    def received(self, user: str, kind: str = "lesson") -> list[Outgoing]:
        return [out for out in self.messenger.to(user) if out.metadata["kind"] == kind]

    def lessons(self, user: str) -> list[str]:
        return [out.reply.lesson.lesson_id for out in self.received(user) if out.reply.lesson]

    def shown(self, user: str) -> list[str]:
        """Each daily message as the lesson it brings or, for the note that one still waits, the
        lesson its button opens ("paused": lessons were paused instead)."""
        return [out.reply.lesson.lesson_id if out.reply.lesson
                else next((c.action.removeprefix("cmd:lesson ") for c in out.reply.choices), "paused")
                for out in self.received(user)]

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
    """`count` active learners who finished onboarding earlier (where the first track's
    confidence question was asked); returns their chat ids."""
    chats = [f"{prefix}{i}" for i in range(count)]
    async with sessions() as session, session.begin():
        session.add_all(Learner(platform=platform, platform_user_id=chat, chat_id=chat,
                                display_name=chat, timezone=zone, delivery_time=at,
                                current_track="basics", status="active", reminders=True,
                                unreachable=False, created_at=now, last_seen_at=now)
                        for chat in chats)
        await session.flush()
        ids = await session.scalars(select(Learner.id).where(Learner.platform_user_id.in_(chats)))
        for learner_id in ids:
            session.add_all([TrackProgress(learner_id=learner_id, track_id="basics", position=0),
                             Confidence(learner_id=learner_id, track_id="basics", moment="start",
                                        asked_at=now)])
    return chats


class Gate:
    """A TCP pass-through on 127.0.0.1 to a real server that a test can close and open again:
    closed, nothing listens and every connection through it is cut (an outage)."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()

    @property
    def closed(self) -> bool:
        return self._server is None

    async def open(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._link, "127.0.0.1", self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._links):
            writer.transport.abort()
        self._links.clear()

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._links.update((writer, up_writer))
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            self._links.discard(writer)
            writer.transport.abort()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
