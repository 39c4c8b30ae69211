"""The follow-up on a lesson's try-this, and the learner's plan: asked once with the next day's
lesson, answered by button, number or a few words, counted in the mentor report, gathered
into a plan sent at the end of the path and nudged a month later; `forget` removes it all."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.clock import SimulatedClock
from coachbot.content import Content
from coachbot.content.coaching import FollowUps, Plan
from coachbot.conversation import Coach
from coachbot.store.models import (
    CheckInAnswer,
    Confidence,
    FollowUp,
    Learner,
    LessonRecord,
    OutboxKind,
    Pause,
    Review,
)
from tests.conftest import Chat
from tests.delivery_kit import Town, learner, rows
from tests.integration.test_mentors import admin, member

BERLIN = "Europe/Berlin"
TEXTS = FollowUps()
PLAN = Plan()
ASKED = ("Yesterday's try-this: Open the network you know best and write one plain sentence for "
         "your profile. How did it go?")
BUTTONS = ["Tried it, got a response", "Tried it, nothing yet", "Didn't get to it"]


def at(when: str, zone: str = BERLIN) -> datetime:
    return datetime.fromisoformat(when).replace(tzinfo=ZoneInfo(zone))


def follow_ups(town: Town, user: str) -> list[str]:
    return [out.reply.text for out in town.received(user, "coach")]


async def asked_town(coach: Coach, clock: SimulatedClock, *users: str) -> Town:
    """Learners who did Monday's first lesson and got Tuesday's lesson and its follow-up."""
    clock.set(at("2026-03-02T08:30"))
    town = Town(coach, clock)
    for user in users:
        chat = await town.learner(user, BERLIN, "09:00")
        assert "Marked as done" in await chat.say("2")
    await town.wait_until(BERLIN, "2026-03-03T09:30")
    return town


async def test_the_follow_up_comes_second_with_the_next_days_lesson_and_only_once(
        coach: Coach, clock: SimulatedClock) -> None:
    town = await asked_town(coach, clock, "ann")
    await town.wait_until(BERLIN, "2026-03-05T23:00")  # Tuesday's lesson left open: nothing new to ask
    kinds = [out.metadata["kind"] for out in town.messenger.to("ann")]
    assert kinds[:2] == ["lesson", "coach"]
    assert [text for text in follow_ups(town, "ann") if "try-this" in text] == [ASKED]  # once
    assert town.local_times("ann", "coach")[0] == "2026-03-03 09:00"  # with the lesson, not at midnight
    asked = town.received("ann", "coach")[0].reply
    assert asked.text == ASKED
    assert [choice.label for choice in asked.choices] == BUTTONS


async def test_each_answer_by_button_or_number_gets_its_own_words_then_the_check_in_is_back(
        coach: Coach, clock: SimulatedClock) -> None:
    town = await asked_town(coach, clock, "ann", "bob", "cat")
    ann, bob, cat = (town.chats[user] for user in ("ann", "bob", "cat"))

    reply = await ann.press("tried:basics-1:response")
    assert "Someone noticed your profile already." in reply  # the lesson's own words
    assert TEXTS.checkin_open in reply
    assert "You picked 1" in await ann.say("1")  # the number now answers Tuesday's check-in
    assert TEXTS.already in await ann.press("tried:basics-1:response")

    assert "A filled-in profile works quietly" in await bob.say("2")
    assert TEXTS.not_yet in await cat.say("3")  # the lesson has no words of its own for it
    assert "Marked as done" in await cat.say("2")

    async with coach.sessions() as session:
        found = await session.execute(select(Learner.platform_user_id, FollowUp.outcome).join(
            FollowUp, FollowUp.learner_id == Learner.id))
        outcomes = {user: outcome for user, outcome in found}
    assert outcomes == {"ann": "response", "bob": "nothing", "cat": "not-yet"}


async def test_a_few_words_are_kept_as_a_note_and_a_question_goes_to_the_faq(
        coach: Coach, clock: SimulatedClock) -> None:
    town = await asked_town(coach, clock, "dan")
    dan = town.chats["dan"]
    faq = await dan.say("How do streaks work?")
    assert TEXTS.noted not in faq and "streak" in faq.lower()
    assert TEXTS.noted in await dan.say("Two old colleagues looked at it")
    assert "Two old colleagues looked at it" in await dan.say("plan")
    assert "Someone noticed your profile" in await dan.press("tried:basics-1:response")  # still open
    assert "Tried it, got a response; Two old colleagues looked at it" in await dan.say("plan")


async def test_a_learner_back_after_days_away_is_asked_at_the_next_delivery_time(
        coach: Coach, clock: SimulatedClock) -> None:
    clock.set(at("2026-03-02T08:30"))
    town = Town(coach, clock)
    eve = await town.learner("eve", BERLIN, "09:00")
    await eve.say("done")
    await eve.say("pause")
    await town.wait_until(BERLIN, "2026-03-05T12:00")
    assert town.received("eve", "coach") == []
    await eve.say("resume")
    await town.wait_until(BERLIN, "2026-03-06T12:00")
    assert town.local_times("eve", "coach") == ["2026-03-06 09:00"]
    assert follow_ups(town, "eve")[0].startswith("Last time's try-this: Open the network")


async def test_a_day_missed_until_quiet_hours_sends_nothing_at_night_and_asks_next_morning(
        coach: Coach, clock: SimulatedClock) -> None:
    clock.set(at("2026-03-02T08:30"))
    town = Town(coach, clock)
    await (await town.learner("ann", BERLIN, "09:00")).say("done")
    await town.wait_until(BERLIN, "2026-03-03T08:55")
    clock.set(at("2026-03-03T22:00"))  # the service was down all Tuesday, back in quiet hours
    town.restart()
    await town.wait_until(BERLIN, "2026-03-04T12:00")
    assert town.local_times("ann") == ["2026-03-04 09:00"]
    assert town.local_times("ann", "coach") == ["2026-03-04 09:00"]
    assert follow_ups(town, "ann")[0].startswith("Last time's try-this: Open the network")


async def test_a_restart_the_same_day_sends_nothing_twice(
        coach: Coach, clock: SimulatedClock, sessions: async_sessionmaker[AsyncSession]) -> None:
    clock.set(at("2026-03-02T08:30"))
    town = Town(coach, clock)
    await (await town.learner("ann", BERLIN, "09:00")).say("done")
    await town.wait_until(BERLIN, "2026-03-03T09:00")  # the lesson went; its follow-up is queued
    town.restart()
    await town.wait_until(BERLIN, "2026-03-03T12:00")
    town.restart()
    await town.wait_until(BERLIN, "2026-03-03T20:00")
    assert follow_ups(town, "ann") == [ASKED]
    assert [row.kind for row in await rows(sessions)].count(OutboxKind.COACH) == 1
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(FollowUp)) == 1


async def test_across_the_change_to_summer_time_it_still_comes_at_nine_local(
        coach: Coach, clock: SimulatedClock) -> None:
    clock.set(at("2026-03-27T08:30"))  # Friday; clocks go forward early on Sunday the 29th
    town = Town(coach, clock)
    ann = await town.learner("ann", BERLIN, "09:00")
    await ann.say("done")
    await town.wait_until(BERLIN, "2026-03-28T12:00")
    await ann.say("done")  # Saturday's lesson, so Sunday asks about it
    await town.wait_until(BERLIN, "2026-03-29T12:00")
    assert town.local_times("ann", "coach") == ["2026-03-28 09:00", "2026-03-29 09:00"]
    sent = [out.metadata["local_time"] for out in town.received("ann", "coach")]
    utc = [datetime.fromisoformat(when).astimezone(UTC).strftime("%H:%M") for when in sent]
    assert [u[:2] for u in utc] == ["08", "07"]
    assert follow_ups(town, "ann")[1].startswith("Yesterday's try-this: Send \"progress\"")


async def finish_path(chat: Chat, content: Content) -> str:
    """Every lesson still to come, track by track; reflections answered in words, the rest done."""
    said = ""
    for track in content.tracks:
        await chat.say(f"track {track.id}")
        while (await chat.say("next")) and chat.last[0].lesson is not None:
            found = content.lesson(chat.last[0].lesson.lesson_id)
            assert found is not None
            lesson = found[0].lessons[found[1]]
            said = await chat.say(f"I'll keep at {lesson.id}" if lesson.checkin.is_reflection
                                  else "done")
    return said


async def test_the_plan_gathers_own_words_by_track_and_comes_at_the_end_of_the_path_then_a_nudge(
        coach: Coach, clock: SimulatedClock, content: Content,
        sessions: async_sessionmaker[AsyncSession]) -> None:
    clock.set(at("2026-03-02T08:30"))
    town = Town(coach, clock)
    ann = await town.learner("ann", BERLIN, "09:00")
    assert await ann.say("plan") == PLAN.empty
    await ann.say("done")
    await town.wait_until(BERLIN, "2026-03-03T09:30")
    await ann.press("tried:basics-1:nothing")
    assert "Marked as done" in await ann.say("1")  # Tuesday's check-in, open again
    await ann.say("next")
    assert "Your plan:" not in await ann.say("done")  # far from the end of the path

    ended = await finish_path(ann, content)
    assert PLAN.path_done in ended
    plan = ended.split(PLAN.path_done, 1)[1].strip()
    assert plan.splitlines()[0] == "Your plan:"
    titles = [track.title for track in content.tracks]
    assert [line for line in plan.splitlines() if line in titles] == titles  # curriculum order
    assert "- Open the network you know best and write one plain sentence for your profile: " \
           "Tried it, nothing yet" in plan
    assert "- Looking back: I'll keep at basics-5" in plan
    assert plan.index("basics-5") < plan.index("replies-8") < plan.index("habits-4")
    assert await ann.say("plan") == plan
    assert PLAN.path_done not in await ann.say("done")  # once

    await town.wait_until(BERLIN, "2026-04-05T12:00")
    nudges = [out for out in town.messenger.to("ann") if out.reply.text == PLAN.nudge]
    assert [out.metadata["local_time"][:16] for out in nudges] == ["2026-04-02T09:00"]  # 30 days on
    assert [c.label for c in nudges[0].reply.choices] == [PLAN.nudge_button]
    assert (await learner(sessions, "ann")).plan_nudge_on is None
    assert await ann.press(nudges[0].reply.choices[0].action) == plan  # the button shows the plan


async def test_the_mentor_report_counts_answers_by_outcome_without_mentors(
        coach: Coach, clock: SimulatedClock) -> None:
    town = await asked_town(coach, clock, "ann", "bob", "cat", "gina")
    for user, outcome in (("ann", "response"), ("bob", "nothing"), ("cat", "response"),
                          ("gina", "not-yet")):
        await town.chats[user].press(f"tried:basics-1:{outcome}")
        await member(coach, user).say("hi all")
    report = await admin(coach).say("report")  # gina runs the group: her answer is not counted
    assert "Follow-ups: answered 3; got a response 2; nothing yet 1; didn't get to it 0" in report
    assert "Ann" not in report.split("Follow-ups:", 1)[1].splitlines()[0]


async def test_forget_deletes_the_follow_ups_the_plan_and_every_coaching_row(
        coach: Coach, clock: SimulatedClock, sessions: async_sessionmaker[AsyncSession]) -> None:
    town = await asked_town(coach, clock, "ann", "bob")
    ann = town.chats["ann"]
    await ann.say("It went fine")
    await town.chats["bob"].say("1")
    ann_id = (await learner(sessions, "ann")).id
    async with sessions() as session, session.begin():
        now = clock.now()
        # Her review of basics-1 and her first confidence rating came with the lessons.
        session.add(Pause(learner_id=ann_id, started_on=now.date()))
    await ann.say("forget")
    assert "deleted" in await ann.say("yes")
    async with sessions() as session:
        for table in (FollowUp, Review, Confidence, Pause, CheckInAnswer, LessonRecord):
            left = await session.scalar(select(func.count()).select_from(table)
                                        .where(table.learner_id == ann_id))
            assert left == 0, table.__tablename__
        assert await session.scalar(select(func.count()).select_from(FollowUp)) == 1  # bob's
    assert await ann.say("plan") == PLAN.empty
