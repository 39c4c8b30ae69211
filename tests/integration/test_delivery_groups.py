"""A group's lessons through faults: never lost, never doubled."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.clock import SimulatedClock
from coachbot.conversation import Coach
from coachbot.delivery.ports import ChatMoved, RateLimited, RecipientGone, TransientError
from coachbot.store.models import Group
from tests.conftest import Chat
from tests.delivery_kit import Town, rows

BERLIN = "Europe/Berlin"


def at(when: str) -> datetime:
    return datetime.fromisoformat(when).replace(tzinfo=ZoneInfo(BERLIN))


def mentor(coach: Coach, group: str = "-100") -> Chat:
    return Chat(coach, "gina", chat_id=group, group=True, admin=True)


@pytest.fixture
async def town(coach: Coach, clock: SimulatedClock) -> Town:
    """A group with a lesson every day at 09:30 and its digest on Tuesdays at 09:30 (Berlin)."""
    clock.set(at("2026-03-02T12:00"))  # a Monday
    town = Town(coach, clock)
    assert "starting tomorrow" in await mentor(coach).say("schedule 09:30 Europe/Berlin track habits")
    assert "every Tuesday" in await mentor(coach).say("digest tuesday 09:30")
    return town


def group_lessons(town: Town, *chats: str) -> list[str]:
    return [out.reply.lesson.lesson_id for chat in chats for out in town.messenger.to(chat)
            if out.metadata["kind"] == "group_lesson" and out.reply.lesson]


def digests(town: Town, *chats: str) -> int:
    return sum(out.metadata["kind"] == "digest" for chat in chats for out in town.messenger.to(chat))


async def position(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(Group.position)) or 0)


async def test_a_rate_limited_group_lesson_is_sent_after_the_wait_and_nothing_is_skipped(
        town: Town, sessions: async_sessionmaker[AsyncSession]) -> None:
    town.messenger.answer("-100", RateLimited(3), RateLimited(3))  # the lesson, then the digest
    await town.wait_until(BERLIN, "2026-03-05T10:00")
    assert group_lessons(town, "-100") == ["habits-1", "habits-2", "habits-3"]
    assert digests(town, "-100") == 1
    assert await position(sessions) == 3
    first = next(r for r in await rows(sessions) if r.kind == "group_lesson")
    assert (first.status, first.lesson_id) == ("sent", "habits-1")


async def test_a_group_lesson_through_minutes_of_5xx_goes_out_once_the_platform_is_back(
        town: Town, sessions: async_sessionmaker[AsyncSession]) -> None:
    town.messenger.answer("-100", *[TransientError("502 Bad Gateway")] * 6)  # about 20 minutes down
    await town.wait_until(BERLIN, "2026-03-04T10:00")
    assert group_lessons(town, "-100") == ["habits-1", "habits-2"]
    assert digests(town, "-100") == 1
    assert await position(sessions) == 2
    sent = [r for r in await rows(sessions) if r.kind == "group_lesson"]
    assert [r.status for r in sent] == ["sent", "sent"] and sent[0].attempts > 1


async def test_a_group_that_is_gone_gets_its_lesson_back_for_when_it_returns(
        town: Town, sessions: async_sessionmaker[AsyncSession]) -> None:
    town.messenger.answer("-100", RecipientGone("Forbidden: bot was kicked from the group chat"))
    await town.wait_until(BERLIN, "2026-03-03T10:00")
    assert group_lessons(town, "-100") == []
    assert await position(sessions) == 0  # habits-1 is still the group's next lesson


async def test_a_group_that_became_a_supergroup_gets_one_lesson_and_one_digest_that_day(
        town: Town, sessions: async_sessionmaker[AsyncSession]) -> None:
    town.messenger.answer("-100", ChatMoved("-100777"))
    await town.wait_until(BERLIN, "2026-03-03T09:30")
    await town.wait(timedelta(hours=3))  # several more ticks under the group's new id
    assert group_lessons(town, "-100", "-100777") == ["habits-1"]
    assert digests(town, "-100", "-100777") == 1
    await town.wait_until(BERLIN, "2026-03-04T10:00")
    assert group_lessons(town, "-100777") == ["habits-1", "habits-2"]
    async with sessions() as session:
        group = await session.scalar(select(Group))
        assert group is not None and group.chat_id == "-100777"
    assert {r.recipient for r in await rows(sessions) if r.group_key} == {f"group:{group.id}"}


async def test_a_pushed_lesson_that_meets_a_429_keeps_its_lesson(
        coach: Coach, clock: SimulatedClock, sessions: async_sessionmaker[AsyncSession]) -> None:
    town = Town(coach, clock)
    await mentor(coach).say("push replies-3")
    town.messenger.answer("-100", RateLimited(2))
    await town.wait(timedelta(minutes=1))
    assert group_lessons(town, "-100") == ["replies-3"]
