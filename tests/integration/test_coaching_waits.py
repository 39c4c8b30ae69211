"""Lessons wait for the learner: a note instead of a new lesson, a pause after silent days,
`next` asking about the open lesson, tracks finished only when done, and honest streaks."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.clock import SimulatedClock
from coachbot.content import Content
from coachbot.conversation import Coach
from coachbot.store.models import Status
from tests.conftest import Chat
from tests.delivery_kit import Town, learner
from tests.integration.test_delivery_console import converse

NY, BERLIN = "America/New_York", "Europe/Berlin"


def at(zone: str, when: str) -> datetime:
    return datetime.fromisoformat(when).replace(tzinfo=ZoneInfo(zone))


def texts(town: Town, user: str) -> list[str]:
    return [out.reply.text for out in town.received(user)]


async def test_an_open_lesson_waits_with_one_note_a_day_even_across_a_restart(
        coach: Coach, clock: SimulatedClock, content: Content) -> None:
    clock.set(at(BERLIN, "2026-03-02T08:30"))
    town = Town(coach, clock)
    ann = await town.learner("ann", BERLIN, "09:00")  # gets the first lesson now, leaves it open
    await town.wait_until(BERLIN, "2026-03-03T10:00")
    clock.set(at(BERLIN, "2026-03-03T12:00"))
    await town.restart().step()  # a fresh process plans the day again: nothing twice
    await town.wait_until(BERLIN, "2026-03-03T20:00")

    assert town.local_times("ann") == ["2026-03-03 09:00"]
    note = town.received("ann")[0].reply
    assert note.lesson is None and town.lessons("ann") == []  # no second lesson replaced it
    assert '"Pick one place to begin" is still waiting for you' in note.text
    assert [(c.label, c.action) for c in note.choices] == [("Open the lesson", "cmd:lesson basics-1")]

    opened = await ann.say("1")  # the note's one button, by number
    assert f"lesson 1 of {len(content.default_track.lessons)}" in opened
    assert "Good call." in await ann.say("2")
    await town.wait_until(BERLIN, "2026-03-04T10:00")
    assert town.lessons("ann") == ["basics-2"]


async def test_three_silent_days_pause_lessons_across_a_dst_change_and_the_report_says_so(
        coach: Coach, clock: SimulatedClock, sessions: async_sessionmaker[AsyncSession]) -> None:
    clock.set(at(NY, "2026-03-05T08:30"))
    town = Town(coach, clock)
    ann = await town.learner("ann", NY, "09:00")
    bob = await town.learner("bob", NY, "09:00")
    gina = Chat(coach, "gina", chat_id="-100", group=True, admin=True)
    for person in ("ann", "bob"):
        await Chat(coach, person, chat_id="-100", group=True).say("hi all")
    await bob.say("pause")
    await town.wait_until(NY, "2026-03-14T12:00")  # the clocks sprang forward on the 8th

    days = ["2026-03-06", "2026-03-07", "2026-03-08", "2026-03-09"]
    assert town.local_times("ann") == [f"{day} 09:00" for day in days]
    assert [out.metadata["local_time"][-6:] for out in town.received("ann")] == [
        "-05:00", "-05:00", "-04:00", "-04:00"]
    *notes, paused = texts(town, "ann")
    assert all("is still waiting for you" in note for note in notes) and len(notes) == 3
    assert paused == ("I've paused your lessons so they don't pile up. Type resume whenever "
                      "you're ready.")
    row = await learner(sessions, "ann")
    assert (row.status, row.paused_reason) == (Status.PAUSED, "silence")
    assert "Lessons are paused" in await ann.say("progress")
    report = await gina.say("report")
    assert "Paused by themselves: Bob; paused by silence (no answer for days): Ann" in report

    resumed = await ann.say("resume")
    assert '"Pick one place to begin" is waiting for you' in resumed
    assert ann.choices == ["cmd:lesson basics-1"]
    assert (await learner(sessions, "ann")).paused_reason is None
    await town.wait_until(NY, "2026-03-15T10:00")
    assert "is still waiting for you" in texts(town, "ann")[-1]  # counted from zero again
    assert len(town.received("ann")) == 5


async def test_sixty_days_unanswered_in_the_terminal_bring_no_lesson_and_no_false_finish(
        database_url: str, content: Content) -> None:
    text = await converse(database_url, "2026-03-07T08:00-05:00", "start", "", "", "", "09:00",
                          "wait 60d", "progress")
    week = content.default_track
    assert f"{week.title} · lesson 2 of" not in text  # the first lesson was never replaced
    assert text.count(f'"{week.lessons[0].title}" is still waiting for you') == 3
    assert text.count("I've paused your lessons so they don't pile up.") == 1
    assert "finished every lesson" not in text
    assert f"0 of {len(week.lessons)} lessons done" in text and "Lessons are paused" in text


async def test_any_word_from_the_learner_starts_the_silent_days_again(
        coach: Coach, clock: SimulatedClock) -> None:
    clock.set(at(BERLIN, "2026-03-02T08:30"))
    town = Town(coach, clock)
    ann = await town.learner("ann", BERLIN, "09:00")
    await town.wait_until(BERLIN, "2026-03-04T12:00")
    await ann.say("progress")  # she looked in, without answering
    await town.wait_until(BERLIN, "2026-03-09T10:00")

    assert town.local_times("ann") == [f"2026-03-0{d} 09:00" for d in (3, 4, 5, 6, 7, 8)]
    sent = texts(town, "ann")
    assert all("still waiting" in text for text in sent[:5])
    assert sent[5].startswith("I've paused your lessons")
    assert town.local_times("ann")[-1] == "2026-03-08 09:00"  # nothing after the pause


async def test_next_with_a_lesson_open_asks_to_mark_it_done_or_set_it_aside(
        chat: Chat, content: Content) -> None:
    await chat.onboard()
    total = len(content.default_track.lessons)
    asked = await chat.say("next")
    assert '"Pick one place to begin" is still open' in asked
    assert chat.choices == ["nextch:basics-1:done", "nextch:basics-1:aside"]
    moved_on = await chat.say("2")
    assert 'Set aside: "Pick one place to begin"' in moved_on and f"lesson 2 of {total}" in moved_on
    assert ("Set aside for later: Pick one place to begin (lesson basics-1)"
            in await chat.say("progress"))

    await chat.say("next")
    done_first = await chat.press("nextch:basics-2:done")
    assert "Marked as done." in done_first and f"lesson 3 of {total}" in done_first

    assert "still open" in await chat.say("next")
    assert "Track: Getting started: 1 of" in await chat.say("progress")  # the question is left
    assert "You picked 1" in await chat.say("1")  # and the number answers the lesson again

    assert f"lesson 1 of {total}" in await chat.say("lesson basics-1")
    assert "Marked as done." in await chat.say("2")
    progress = await chat.say("progress")
    assert "Set aside" not in progress and "3 of" in progress


async def test_a_track_is_finished_only_when_its_lessons_are_done(
        coach: Coach, clock: SimulatedClock, content: Content) -> None:
    clock.set(at(BERLIN, "2026-03-02T08:30"))
    town = Town(coach, clock)
    ann = await town.learner("ann", BERLIN, "09:00")
    week = content.default_track
    for _ in week.lessons:
        await ann.say("next")
        await ann.say("2")  # set each aside, as someone racing ahead would
    end = ann.last[-1]
    assert f"{len(week.lessons)} of its {len(week.lessons)} lessons still open" in end.text
    assert "finished every lesson" not in end.text and f"type track {week.next_track}" in end.text
    assert [c.action for c in end.choices] == [f"cmd:lesson {lesson.id}" for lesson in week.lessons[:3]]
    assert f"0 of {len(week.lessons)} lessons done" in await ann.say("progress")
    await town.wait_until(BERLIN, "2026-03-06T12:00")
    assert town.received("ann") == []  # only set-aside lessons: nothing is sent

    for lesson in week.lessons:
        await ann.say(f"lesson {lesson.id}")
        assert "Marked as done." in await ann.say("done")
    assert f"You've finished every lesson in {week.title}" in await ann.say("next")


async def test_yesterdays_lesson_keeps_the_streak_alive_all_morning(
        chat: Chat, clock: SimulatedClock) -> None:
    clock.set(at(NY, "2026-03-02T08:00"))
    chat.timezone = NY
    await chat.onboard(zone=NY, at="09:00")
    clock.set(at(NY, "2026-03-02T20:00"))
    assert "Streak: 1 day." in await chat.say("done")
    clock.set(at(NY, "2026-03-03T10:00"))
    progress = await chat.say("progress")
    assert "Streak: 1 day." in progress and "starts with your next lesson" not in progress


async def test_pausing_freezes_the_streak_across_a_dst_change(coach: Coach, clock: SimulatedClock) -> None:
    clock.set(at(NY, "2026-03-05T08:00"))
    ann, bob = Chat(coach, "ann", timezone=NY), Chat(coach, "bob", timezone=NY)
    for person in (ann, bob):
        await person.onboard(zone=NY, at="09:00")
        await person.say("done")
        await Chat(coach, person.user, chat_id="-100", group=True).say("hi all")
    clock.set(at(NY, "2026-03-06T19:00"))
    for person in (ann, bob):
        await person.say("next")
        assert "Streak: 2 days." in await person.say("done")
    await ann.say("pause")  # away for the weekend the clocks change; bob just stops answering
    clock.set(at(NY, "2026-03-12T10:00"))
    assert "Streak: 2 days." in await ann.say("progress")
    assert "Your streak starts with your next lesson done." in await bob.say("progress")
    report = await Chat(coach, "gina", chat_id="-100", group=True, admin=True).say("report")
    assert "Longest current streaks: Ann 2d\n" in report  # the mentor sees the same streak

    await ann.say("resume")
    await ann.say("next")
    assert "Streak: 3 days." in await ann.say("done")
