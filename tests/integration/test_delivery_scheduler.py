"""The APScheduler tick plans and sends on its own, and stops cleanly."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.cli import main
from coachbot.clock import SimulatedClock
from coachbot.content import Content
from coachbot.conversation import Coach
from coachbot.delivery.limits import Throttles
from coachbot.delivery.ports import RecipientGone
from coachbot.delivery.scheduler import Scheduler
from coachbot.faq import LexicalMatcher
from coachbot.messages import Outgoing
from coachbot.settings import sqlite_url
from coachbot.store.database import make_engine, make_sessionmaker, upgrade
from tests.delivery_kit import POLICY, add_learners, delivery_for, rows
from tests.fakes import RecordingMessenger


class SlowMessenger(RecordingMessenger):
    """Takes a moment per message, so a stop can arrive mid-send."""

    async def send(self, out: Outgoing) -> str | None:
        self.attempts.append(out)
        await asyncio.sleep(0.2)
        return await super().send(out)


async def test_the_tick_sends_due_lessons_and_stop_lets_sends_finish(
        coach: Coach, clock: SimulatedClock, sessions: async_sessionmaker[AsyncSession]) -> None:
    await add_learners(sessions, 3, platform="test", zone="UTC", at="09:00", now=clock.now())
    clock.set(datetime.fromisoformat("2026-03-03T09:00+00:00"))
    messenger = SlowMessenger("test")
    scheduler = Scheduler(delivery_for(coach, {"test": messenger}, Throttles({}), POLICY), 0.5)
    await scheduler.start()
    await scheduler.start()  # starting twice is harmless
    assert scheduler.running
    await asyncio.wait_for(messenger.arrived.wait(), 30)
    await scheduler.stop()
    await scheduler.stop()
    assert not scheduler.running
    statuses = [r.status for r in await rows(sessions)]
    assert "sending" not in statuses and statuses.count("sent") == len(messenger.sent) >= 1


async def test_start_records_interrupted_sends_as_uncertain(
        coach: Coach, clock: SimulatedClock, sessions: async_sessionmaker[AsyncSession]) -> None:
    await add_learners(sessions, 1, platform="test", zone="UTC", at="09:00", now=clock.now())
    clock.set(datetime.fromisoformat("2026-03-03T09:00+00:00"))
    messenger = RecordingMessenger("test")
    service = delivery_for(coach, {"test": messenger}, Throttles({}), POLICY)
    await service.plan()
    async with sessions() as session, session.begin():
        # Left by a worker that died a while ago: its lease ran out.
        await session.execute(text("UPDATE outbox SET status = 'sending', claimed_by = 'gone:1', "
                                   "lease_until = :lapsed"), {"lapsed": clock.now() - timedelta(minutes=2)})
    scheduler = Scheduler(service, 0.5)
    await scheduler.start()
    await scheduler.stop()
    assert [r.status for r in await rows(sessions)] == ["uncertain"]
    assert messenger.sent == []


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Path:
    path = tmp_path / "coach.db"
    upgrade(sqlite_url(path))
    return path


async def test_deliveries_command_shows_counts_and_failures(
        content: Content, sqlite_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine = make_engine(sqlite_url(sqlite_db))
    sessions = make_sessionmaker(engine)
    clock = SimulatedClock(datetime.fromisoformat("2026-03-02T12:00+00:00"))
    coach = Coach(content, sessions, clock, LexicalMatcher(content.faq))
    chats = await add_learners(sessions, 3, platform="test", zone="UTC", at="09:00", now=clock.now())
    clock.set(datetime.fromisoformat("2026-03-03T09:00+00:00"))
    messenger = RecordingMessenger("test")
    messenger.answer(chats[0], RecipientGone("Forbidden: bot was kicked from the group chat"))
    await delivery_for(coach, {"test": messenger}, Throttles({}), POLICY).step()
    await engine.dispose()

    assert await asyncio.to_thread(main, ["deliveries", "--db", str(sqlite_db)]) == 0
    shown = capsys.readouterr().out
    counts = dict(re.findall(r"^  (\w+) +(\d+) ", shown, re.M))
    assert counts == {"pending": "0", "claimed": "0", "sending": "0", "sent": "2", "failed": "1",
                      "uncertain": "0", "skipped": "0"}
    assert "recipient gone: Forbidden: bot was kicked from the group chat" in shown
