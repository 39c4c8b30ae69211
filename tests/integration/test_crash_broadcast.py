"""A broadcast killed with SIGKILL mid-way and restarted sends nobody a lesson twice."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.store.models import LessonRecord, OutboxMessage, OutboxStatus
from tests.delivery_kit import add_learners
from tests.fakes import FakePlatform, PlatformRules

ROOT = Path(__file__).resolve().parents[2]
LEARNERS = 1000
CONCURRENCY = 8
NOW = "2026-03-03T09:00:00+00:00"
LATER = "2026-03-03T09:02:00+00:00"  # the dead worker's leases (60 s) have run out


async def start_worker(database_url: str, endpoint: str, now: str = NOW) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.integration.crash_worker", database_url, endpoint, now,
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def until(condition: object, seconds: float = 90) -> None:
    async def poll() -> None:
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.005)
    await asyncio.wait_for(poll(), seconds)


async def test_a_killed_broadcast_resumes_without_duplicates(
        database_url: str, sessions: async_sessionmaker[AsyncSession]) -> None:
    chats = await add_learners(sessions, LEARNERS, platform="fakechat", zone="UTC", at="09:00",
                               now=datetime.fromisoformat("2026-03-02T12:00+00:00"))
    platform = FakePlatform(PlatformRules(latency=0.002))
    with platform.running():
        worker = await start_worker(database_url, platform.url)
        await until(lambda: platform.count() >= LEARNERS // 3)
        worker.send_signal(signal.SIGKILL)
        await worker.wait()
        at_kill = platform.count()

        again = await start_worker(database_url, platform.url, LATER)
        out, err = await asyncio.wait_for(again.communicate(), 90)
        assert again.returncode == 0, err.decode()
    resumed = json.loads(out)

    assert worker.returncode == -signal.SIGKILL and 0 < at_kill < LEARNERS
    received = Counter(message.chat_id for message in platform.received)
    assert max(received.values()) == 1  # nobody got two lessons for the day
    async with sessions() as session:
        rows = {row.chat_id: row for row in await session.scalars(select(OutboxMessage))}
        records = dict((await session.execute(
            select(LessonRecord.learner_id, func.count()).group_by(LessonRecord.learner_id))).all())
    in_flight = [chat for chat, row in rows.items() if row.status == OutboxStatus.UNCERTAIN]
    # Only the senders' own rows were "sending" (claimed rows waiting for a sender went back).
    assert len(rows) == LEARNERS and resumed["recovered"] == len(in_flight) <= CONCURRENCY
    assert {row.status for row in rows.values()} <= {OutboxStatus.SENT, OutboxStatus.UNCERTAIN}
    for chat in chats:
        expected = received[chat] if chat in in_flight else 1
        assert received[chat] == expected, chat  # everyone not in flight at the kill got exactly one
    assert set(records.values()) == {1} and len(records) == LEARNERS  # one lesson recorded each
