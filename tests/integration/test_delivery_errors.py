"""What the dispatcher does with each answer a platform can give, and after a crash."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from coachbot_console.simulated import advance
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.clock import SimulatedClock
from coachbot.conversation import Coach
from coachbot.delivery.limits import Throttles
from coachbot.delivery.ports import ChatMoved, RateLimited, RecipientGone, TransientError
from coachbot.delivery.report import delivery_report
from coachbot.messages import Outgoing
from coachbot.store import outbox
from coachbot.store.models import OutboxKind, OutboxStatus
from tests.delivery_kit import POLICY, Town, add_learners, delivery_for, learner, rows
from tests.fakes import RecordingMessenger

BERLIN = "Europe/Berlin"


def week(town: Town) -> int:
    return len(town.coach.content.default_track.lessons)


def at(when: str) -> datetime:
    return datetime.fromisoformat(when).replace(tzinfo=ZoneInfo(BERLIN))


@pytest.fixture
async def town(coach: Coach, clock: SimulatedClock) -> Town:
    clock.set(at("2026-03-02T08:00"))
    town = Town(coach, clock)
    for user in ("ann", "bob"):
        # The first lesson done (so the next one comes), and no reminders.
        chat = await town.learner(user, BERLIN, "09:00")
        await chat.say("done")
        await chat.say("reminders off")
    return town


async def statuses(sessions: async_sessionmaker[AsyncSession], kind: str = "lesson") -> list[str]:
    return [r.status for r in await rows(sessions) if r.kind == kind]


async def test_recipient_gone_stops_sends_until_they_write_again(
        town: Town, sessions: async_sessionmaker[AsyncSession]) -> None:
    town.messenger.answer("ann", RecipientGone("Forbidden: bot was blocked by the user"))
    await town.wait_until(BERLIN, "2026-03-03T10:00")
    await town.chats["bob"].say("done")
    await town.wait_until(BERLIN, "2026-03-04T10:00")
    assert town.lessons("ann") == []
    assert town.lessons("bob") == ["basics-2", "basics-3"]
    assert (await learner(sessions, "ann")).unreachable
    failed = [r for r in await rows(sessions) if r.status == OutboxStatus.FAILED]
    assert len(failed) == 1 and "blocked by the user" in (failed[0].last_error or "")

    # She unblocks and writes: reachable again, and the lesson that failed is the next one.
    assert f"lesson 1 of {week(town)}" in await town.chats["ann"].say("today")
    await town.wait_until(BERLIN, "2026-03-05T10:00")
    assert town.lessons("ann") == ["basics-2"]


async def test_chat_moved_updates_the_chat_and_sends_there(
        town: Town, sessions: async_sessionmaker[AsyncSession]) -> None:
    town.messenger.answer("ann", ChatMoved("-100200"))
    await town.wait_until(BERLIN, "2026-03-03T10:00")
    town.chats["ann"].chat_id = "-100200"  # she answers from the chat it moved to
    await town.chats["ann"].say("done")
    await town.wait_until(BERLIN, "2026-03-04T10:00")
    assert [out.reply.lesson.lesson_id for out in town.messenger.to("-100200") if out.reply.lesson] == [
        "basics-2", "basics-3"]
    assert (await learner(sessions, "ann")).chat_id == "-100200"
    assert await statuses(sessions) == ["sent"] * 4


async def test_transient_errors_retry_with_backoff_then_send_once(
        town: Town, sessions: async_sessionmaker[AsyncSession]) -> None:
    town.messenger.answer("ann", TransientError("502 Bad Gateway"), TransientError("502 Bad Gateway"))
    await town.wait_until(BERLIN, "2026-03-03T12:00")
    assert town.lessons("ann") == ["basics-2"]
    sent = [out for out in town.messenger.attempts
             if out.chat_id == "ann" and out.metadata["kind"] == "lesson"]
    assert [out.metadata["local_time"][11:19] for out in sent] == ["09:00:00", "09:00:30", "09:01:30"]
    row = next(r for r in await rows(sessions) if r.chat_id == "ann" and r.kind == "lesson")
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 3)


async def test_an_outage_of_minutes_delays_the_lesson_but_does_not_lose_it(
        town: Town, sessions: async_sessionmaker[AsyncSession]) -> None:
    town.messenger.answer("ann", *[TransientError("503 Service Unavailable")] * 5)  # ~8 minutes down
    await town.wait_until(BERLIN, "2026-03-03T12:00")
    assert town.lessons("ann") == ["basics-2"]
    tried = [out.metadata["local_time"][11:19] for out in town.messenger.attempts
             if out.chat_id == "ann" and out.metadata["kind"] == "lesson"]
    assert tried == ["09:00:00", "09:00:30", "09:01:30", "09:03:30", "09:07:30", "09:15:30"]
    row = next(r for r in await rows(sessions) if r.chat_id == "ann" and r.kind == "lesson")
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 6)


async def test_transient_errors_are_retried_until_the_window_closes_then_recorded_and_the_lesson_kept(
        town: Town, sessions: async_sessionmaker[AsyncSession]) -> None:
    town.messenger.answer("ann", *[TransientError("503 Service Unavailable")] * 1000)
    await town.wait_until(BERLIN, "2026-03-03T23:00")
    assert town.lessons("ann") == []
    tried = [out.metadata["local_time"][11:16] for out in town.messenger.attempts
             if out.chat_id == "ann" and out.metadata["kind"] == "lesson"]
    assert tried[0] == "09:00" and "20:00" <= tried[-1] < "21:00"  # quiet hours start at 21:00
    failed = next(r for r in await rows(sessions) if r.status == OutboxStatus.FAILED)
    assert failed.attempts == len(tried) > 60
    assert "still failing when its send window closed" in (failed.last_error or "")
    report = await delivery_report(sessions)
    assert "failed" in report and "503 Service Unavailable" in report
    assert f"lesson 1 of {week(town)}" in await town.chats["ann"].say("today")  # not skipped over
    town.messenger.calm("ann")
    await town.wait_until(BERLIN, "2026-03-04T10:00")
    assert town.lessons("ann") == ["basics-2"]


async def test_rate_limit_pauses_only_that_chat_then_retries(
        town: Town, sessions: async_sessionmaker[AsyncSession]) -> None:
    town.messenger.answer("ann", RateLimited(30))
    await town.wait_until(BERLIN, "2026-03-03T09:00")
    assert town.lessons("bob") == ["basics-2"] and town.lessons("ann") == []
    await advance(town.service, town.clock, timedelta(seconds=30))
    assert town.lessons("ann") == ["basics-2"]
    row = next(r for r in await rows(sessions) if r.chat_id == "ann" and r.kind == "lesson")
    assert row.attempts == 1  # waiting out a rate limit is not a failed attempt
    assert row.sent_at is not None and row.sent_at - row.due_at == timedelta(seconds=30)


async def test_an_unknown_outcome_is_recorded_uncertain_and_never_resent(
        town: Town, sessions: async_sessionmaker[AsyncSession]) -> None:
    town.messenger.answer("ann", ConnectionResetError("connection reset after the request was sent"))
    await town.wait_until(BERLIN, "2026-03-03T12:00")
    assert town.lessons("ann") == []
    assert await statuses(sessions) == ["sent", "uncertain"] or await statuses(sessions) == [
        "uncertain", "sent"]
    # she may have it; `today` shows it
    assert f"lesson 2 of {week(town)}" in await town.chats["ann"].say("today")
    await town.chats["ann"].say("done")
    await town.wait_until(BERLIN, "2026-03-04T10:00")
    assert town.lessons("ann") == ["basics-3"]


class HangingMessenger(RecordingMessenger):
    """A platform that takes the request and never answers (the process dies meanwhile)."""

    async def send(self, out: Outgoing) -> str | None:
        self.attempts.append(out)
        self.arrived.set()
        await asyncio.Event().wait()
        return None


async def test_a_crash_mid_send_is_recorded_uncertain_not_sent_again(
        coach: Coach, clock: SimulatedClock, sessions: async_sessionmaker[AsyncSession],
        database_url: str) -> None:
    clock.set(at("2026-03-02T08:00"))
    town = Town(coach, clock)
    await town.learner("ann", BERLIN, "09:00")
    clock.set(at("2026-03-03T09:00"))
    hanging = HangingMessenger("test")
    dying = delivery_for(coach, {"test": hanging}, Throttles({}), POLICY)
    step = asyncio.create_task(dying.step())
    await asyncio.wait_for(hanging.arrived.wait(), 30)
    step.cancel()  # the process is gone mid-send
    with pytest.raises(asyncio.CancelledError):
        await step
    assert await statuses(sessions) == ["sending"]

    # SQLite has one process: a start recovers at once. PostgreSQL may have other workers
    # running, so the row waits until the dead worker's lease has run out.
    fresh = town.restart()
    assert await fresh.recover() == (1 if database_url.startswith("sqlite") else 0)
    await town.wait(timedelta(hours=2))
    assert town.received("ann") == []
    assert await statuses(sessions) == ["uncertain"]
    report = await delivery_report(sessions)
    assert "uncertain" in report and "interrupted while sending" in report


async def test_several_workers_never_send_the_same_row_twice(
        coach: Coach, clock: SimulatedClock, sessions: async_sessionmaker[AsyncSession]) -> None:
    chats = await add_learners(sessions, 60, platform="test", zone="UTC", at="09:00", now=clock.now())
    clock.set(datetime.fromisoformat("2026-03-03T09:00+00:00"))
    messengers = [RecordingMessenger("test") for _ in range(3)]
    workers = [delivery_for(coach, {"test": m}, Throttles({}), POLICY) for m in messengers]
    await asyncio.gather(*(worker.step() for worker in workers))
    sent = [out.chat_id for m in messengers for out in m.sent]
    assert sorted(sent) == sorted(chats)
    assert await statuses(sessions) == ["sent"] * 60


async def test_group_lessons_and_texts_go_through_the_same_outbox(
        coach: Coach, clock: SimulatedClock, sessions: async_sessionmaker[AsyncSession]) -> None:
    town = Town(coach, clock)
    now = clock.now()
    async with sessions() as session, session.begin():
        for kind, slot, lesson, body in ((OutboxKind.GROUP_LESSON, "replies-1", "replies-1", None),
                                         (OutboxKind.TEXT, "welcome", None, "Welcome, everyone!")):
            planned = await outbox.enqueue(
                session, kind=kind, recipient="group:test:-42", slot=slot, platform="test",
                chat_id="-42", group_key="-42", lesson_id=lesson, body=body,
                local_date=date(2026, 3, 2), due_at=now, expires_at=now + timedelta(hours=1), now=now)
            assert planned
        again = await outbox.enqueue(
            session, kind=OutboxKind.GROUP_LESSON, recipient="group:test:-42", slot="replies-1",
            platform="test", chat_id="-42", group_key="-42", lesson_id="replies-1",
            local_date=date(2026, 3, 2), due_at=now, expires_at=now + timedelta(hours=1), now=now)
        assert not again  # the same lesson is never planned twice for a group on one day
    await town.service.step()
    sent = town.messenger.to("-42")
    assert [out.is_group for out in sent] == [True, True]
    assert {out.metadata["kind"] for out in sent} == {"group_lesson", "text"}
    assert any("Replies that start conversations" in out.reply.text for out in sent)
    assert any(out.reply.text == "Welcome, everyone!" for out in sent)
