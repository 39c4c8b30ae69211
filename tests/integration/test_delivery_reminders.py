"""A gentle reminder for an unanswered check-in, at most once a day; streaks forgive a missed day."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from coachbot.clock import SimulatedClock
from coachbot.conversation import Coach
from coachbot.delivery.policy import DeliveryPolicy
from tests.delivery_kit import QUIET, Town

BERLIN = "Europe/Berlin"


def at(when: str) -> datetime:
    return datetime.fromisoformat(when).replace(tzinfo=ZoneInfo(BERLIN))


async def test_reminder_comes_once_a_day_for_an_open_check_in(coach: Coach, clock: SimulatedClock) -> None:
    clock.set(at("2026-03-02T08:30"))
    town = Town(coach, clock)
    ann = await town.learner("ann", BERLIN, "09:00")  # ignores her lessons
    bob = await town.learner("bob", BERLIN, "09:00")  # answers them
    cat = await town.learner("cat", BERLIN, "09:00")  # turned reminders off
    await bob.say("done")
    assert "Reminders off" in await cat.say("reminders off")
    await town.wait_until(BERLIN, "2026-03-03T10:00")
    await bob.say("1")
    await ann.say("next")  # the first lesson still waits: she sets it aside, takes the second
    await ann.say("2")
    await town.wait_until(BERLIN, "2026-03-04T08:00")

    assert town.local_times("ann", "reminder") == ["2026-03-02 12:30", "2026-03-03 14:00"]
    nudge = town.received("ann", "reminder")[-1].reply.text
    assert "still open" in nudge and "reminders off" in nudge
    assert town.received("bob", "reminder") == []
    assert town.received("cat", "reminder") == []
    assert town.local_times("cat") == ["2026-03-03 09:00"]  # lessons still come


async def test_reminder_never_lands_in_quiet_hours_or_another_day(
        coach: Coach, clock: SimulatedClock) -> None:
    clock.set(at("2026-03-02T08:00"))
    town = Town(coach, clock)
    await town.learner("eve", BERLIN, "18:00")  # 18:00 + 4 h is 22:00, inside quiet hours
    await town.wait_until(BERLIN, "2026-03-04T08:00")
    assert town.local_times("eve") == ["2026-03-03 18:00"]
    assert town.local_times("eve", "reminder") == ["2026-03-02 12:00"]  # after the 08:00 welcome


async def test_reminders_can_be_turned_off_for_everyone(coach: Coach, clock: SimulatedClock) -> None:
    clock.set(at("2026-03-02T08:00"))
    town = Town(coach, clock, DeliveryPolicy(quiet_hours=QUIET, reminder_after=None))
    await town.learner("ann", BERLIN, "09:00")
    await town.wait(timedelta(days=2, hours=2))
    assert town.received("ann", "reminder") == []
    assert town.local_times("ann") == ["2026-03-03 09:00", "2026-03-04 09:00"]


async def test_one_missed_day_a_week_keeps_the_streak(coach: Coach, clock: SimulatedClock) -> None:
    clock.set(at("2026-03-02T08:00"))
    town = Town(coach, clock)
    ann = await town.learner("ann", BERLIN, "09:00")
    await ann.say("done")  # Monday
    await town.wait_until(BERLIN, "2026-03-04T10:00")  # Tuesday's lesson left open
    assert "Streak: 2 days (a missed day was forgiven)." in await ann.say("done")
    assert "Streak: 2 days (a missed day was forgiven)." in await ann.say("progress")

    await town.wait_until(BERLIN, "2026-03-07T10:00")  # Thursday and Friday missed: two in a row
    assert "Streak: 1 day." in await ann.say("done")
