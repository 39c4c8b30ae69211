"""Daily lessons arrive at each learner's local time, once a day, across zones and DST changes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.clock import SimulatedClock
from coachbot.conversation import Coach
from coachbot.store.models import OutboxStatus
from tests.delivery_kit import Town, rows

NY, BERLIN = "America/New_York", "Europe/Berlin"


def at(zone: str, when: str) -> datetime:
    return datetime.fromisoformat(when).replace(tzinfo=ZoneInfo(zone))


def opening(*numbers: int) -> list[str]:
    """Lessons of the default track, by number."""
    return [f"basics-{n}" for n in numbers]


def offsets(town: Town, user: str) -> list[str]:
    return [out.metadata["local_time"][-6:] for out in town.received(user)]


@pytest.mark.parametrize(("zone", "day_before", "winter", "summer"), [
    (NY, "2026-03-07", "-05:00", "-04:00"),
    (BERLIN, "2026-03-28", "+01:00", "+02:00"),
])
async def test_spring_forward_keeps_the_local_time(coach: Coach, clock: SimulatedClock, zone: str,
                                                   day_before: str, winter: str, summer: str) -> None:
    clock.set(at(zone, f"{day_before}T00:10") - timedelta(days=1))
    town = Town(coach, clock)
    await town.learner("ann", zone, "09:00")
    await town.learner("bob", zone, "02:30")  # a time the change skips on the day itself
    await town.wait(timedelta(days=3, hours=12))

    day0 = datetime.fromisoformat(day_before).date()
    dates = [(day0 + timedelta(days=n)).isoformat() for n in range(3)]
    assert town.local_times("ann") == [f"{d} 09:00" for d in dates]
    assert offsets(town, "ann") == [winter, summer, summer]
    assert town.shown("ann") == opening(1, 1, 1)  # the first lesson waits, unanswered
    # 02:30 does not exist on the change day: it comes at 03:30, once, and at 02:30 after.
    assert town.local_times("bob") == [f"{dates[0]} 02:30", f"{dates[1]} 03:30", f"{dates[2]} 02:30"]
    assert town.shown("bob") == opening(1, 1, 1)


@pytest.mark.parametrize(("zone", "day_before", "repeated", "summer", "winter"), [
    (NY, "2026-10-31", "01:30", "-04:00", "-05:00"),
    (BERLIN, "2026-10-24", "02:30", "+02:00", "+01:00"),
])
async def test_fall_back_sends_once_in_the_repeated_hour(coach: Coach, clock: SimulatedClock, zone: str,
                                                         day_before: str, repeated: str, summer: str,
                                                         winter: str) -> None:
    clock.set(at(zone, f"{day_before}T00:10"))
    town = Town(coach, clock)
    await town.learner("ann", zone, "09:00")
    await town.learner("bob", zone, repeated)
    await town.wait(timedelta(days=3))

    day0 = datetime.fromisoformat(day_before).date()
    dates = [(day0 + timedelta(days=n)).isoformat() for n in range(3)]
    assert town.local_times("ann") == [f"{d} 09:00" for d in dates[1:]]
    assert offsets(town, "ann") == [winter, winter]
    assert town.local_times("bob") == [f"{d} {repeated}" for d in dates[1:]]
    assert offsets(town, "bob") == [summer, winter]  # the first of the two 01:30s, then normal
    assert town.shown("bob") == opening(1, 1)


async def test_learners_either_side_of_the_date_line_get_one_lesson_per_local_day(
        coach: Coach, clock: SimulatedClock) -> None:
    clock.set(datetime.fromisoformat("2026-03-02T00:00+00:00"))
    town = Town(coach, clock)
    await town.learner("kiri", "Pacific/Kiritimati", "09:00")  # UTC+14
    await town.learner("baker", "Etc/GMT+12", "09:00")  # UTC-12
    await town.wait(timedelta(days=4))

    kiri, baker = town.local_times("kiri"), town.local_times("baker")
    assert kiri == [f"2026-03-0{d} 09:00" for d in (3, 4, 5, 6)]
    assert baker == [f"2026-03-0{d} 09:00" for d in (2, 3, 4, 5)]
    assert offsets(town, "kiri") == ["+14:00"] * 4 and offsets(town, "baker") == ["-12:00"] * 4
    # The first lesson waits, unanswered, for three days; then lessons pause.
    assert town.shown("kiri") == [*opening(1, 1, 1), "paused"] == town.shown("baker")


async def test_at_most_one_scheduled_lesson_a_day_and_next_counts(
        coach: Coach, clock: SimulatedClock) -> None:
    clock.set(at(BERLIN, "2026-03-02T13:00"))
    town = Town(coach, clock)
    ann = await town.learner("ann", BERLIN, "09:00")
    await town.wait_until(BERLIN, "2026-03-03T08:00")
    week = len(coach.content.default_track.lessons)
    await ann.say("done")
    assert f"lesson 2 of {week}" in await ann.say("next")  # self-paced, before the daily time
    await ann.say("done")
    await town.wait_until(BERLIN, "2026-03-04T12:00")
    assert town.local_times("ann") == ["2026-03-04 09:00"]
    assert town.lessons("ann") == opening(3)


async def test_pause_stop_and_resume_never_build_a_backlog(coach: Coach, clock: SimulatedClock) -> None:
    clock.set(at(BERLIN, "2026-03-02T13:00"))
    town = Town(coach, clock)
    ann = await town.learner("ann", BERLIN, "09:00")
    bob = await town.learner("bob", BERLIN, "09:00")
    await ann.say("pause")
    await bob.say("stop")
    await town.wait_until(BERLIN, "2026-03-05T13:00")
    assert town.messenger.sent == []

    await ann.say("resume")
    await town.wait_until(BERLIN, "2026-03-07T10:00")
    assert town.local_times("ann") == ["2026-03-06 09:00", "2026-03-07 09:00"]
    assert town.shown("ann") == opening(1, 1)  # where she left off: the lesson still waits
    assert town.received("bob") == []


async def test_restart_sends_today_once_and_skips_missed_days(
        coach: Coach, clock: SimulatedClock, sessions: async_sessionmaker[AsyncSession]) -> None:
    clock.set(at(BERLIN, "2026-03-02T13:00"))
    town = Town(coach, clock)
    await town.learner("ann", BERLIN, "09:00")
    await town.wait_until(BERLIN, "2026-03-03T08:00")

    # Down from 08:00 to 11:00: today's lesson goes out once on start, late but the same day.
    clock.set(at(BERLIN, "2026-03-03T11:00"))
    await town.restart().step()
    await town.restart().step()
    assert town.local_times("ann") == ["2026-03-03 11:00"]

    # Planned at 09:00 and then down until the next day: that row is skipped, not sent late.
    clock.set(at(BERLIN, "2026-03-04T09:00"))
    await town.restart().plan()
    clock.set(at(BERLIN, "2026-03-06T10:00"))
    await town.restart().step()
    assert town.local_times("ann") == ["2026-03-03 11:00", "2026-03-06 10:00"]
    assert town.shown("ann") == opening(1, 1)
    statuses = [(r.local_date.isoformat(), r.status) for r in await rows(sessions)]
    assert ("2026-03-04", OutboxStatus.SKIPPED) in statuses
    assert ("2026-03-06", OutboxStatus.SENT) in statuses


async def test_quiet_hours_hold_lessons_back_unless_chosen(coach: Coach, clock: SimulatedClock) -> None:
    clock.set(at(BERLIN, "2026-03-02T13:00"))
    town = Town(coach, clock)
    await town.learner("ann", BERLIN, "09:00")
    await town.learner("owl", BERLIN, "22:30")  # chose a time inside quiet hours
    await town.learner("lark", BERLIN, "06:15")
    await town.wait_until(BERLIN, "2026-03-03T08:00")
    # Down all day until 21:30: ann's 09:00 lesson is not sent at night; owl's still comes.
    clock.set(at(BERLIN, "2026-03-03T21:30"))
    town.restart()
    await town.wait_until(BERLIN, "2026-03-04T10:00")
    assert town.local_times("ann") == ["2026-03-04 09:00"]
    assert town.local_times("owl") == ["2026-03-03 22:30"]
    assert town.local_times("lark") == ["2026-03-03 06:15", "2026-03-04 06:15"]


async def test_finished_track_gets_nothing_more(coach: Coach, clock: SimulatedClock,
                                               sessions: async_sessionmaker[AsyncSession]) -> None:
    clock.set(at(BERLIN, "2026-03-02T13:00"))
    town = Town(coach, clock)
    ann = await town.learner("ann", BERLIN, "09:00")
    for _ in range(len(coach.content.default_track.lessons) - 1):
        await ann.say("done")
        await ann.say("next")
    await ann.say("done")
    await town.wait(timedelta(days=7))
    # No lesson comes again: on the next two days, one a day, only the coach's questions about
    # the finished track (how confident she feels now, how the last try-this went), each asked
    # once, and nothing on the days after that.
    followed = town.messenger.to("ann")
    assert [out.reply.lesson for out in followed] == [None] * len(followed)
    assert [out.metadata["local_time"][:10] for out in followed] == ["2026-03-03", "2026-03-04"]
    assert "How confident" in followed[0].reply.text and "try-this" in followed[1].reply.text
    assert "finished every lesson" in await ann.say("next")


async def test_a_scheduled_lesson_is_answered_like_any_other(coach: Coach, clock: SimulatedClock) -> None:
    clock.set(at(BERLIN, "2026-03-02T13:00"))
    town = Town(coach, clock)
    ann = await town.learner("ann", BERLIN, "09:00")
    await ann.say("done")
    await town.wait_until(BERLIN, "2026-03-03T09:30")
    assert town.lessons("ann") == opening(2)
    await ann.say("3")  # the follow-up on Monday's try-this came second: its answer comes first
    reply = await ann.say("1")  # the numbered check-in of the lesson that just arrived
    assert "You picked 1" in reply and "Streak: 2 days." in reply
    week = len(coach.content.default_track.lessons)
    assert "basics-2" in (await ann.say("today")) or f"lesson 2 of {week}" in ann.last[0].text


async def test_forget_also_deletes_planned_and_past_deliveries(
        coach: Coach, clock: SimulatedClock, sessions: async_sessionmaker[AsyncSession]) -> None:
    clock.set(at(BERLIN, "2026-03-02T13:00"))
    town = Town(coach, clock)
    ann = await town.learner("ann", BERLIN, "09:00")
    await town.learner("bob", BERLIN, "09:00")
    await town.wait_until(BERLIN, "2026-03-03T10:00")
    clock.set(at(BERLIN, "2026-03-04T09:00"))
    await town.service.plan()  # planned, not yet sent
    assert {r.recipient for r in await rows(sessions)} == {"learner:1", "learner:2"}
    await ann.say("forget")
    await ann.say("yes")
    await town.service.dispatch()
    assert {r.recipient for r in await rows(sessions)} == {"learner:2"}
    assert town.shown("ann") == ["basics-1"] and town.shown("bob") == ["basics-1", "basics-1"]
