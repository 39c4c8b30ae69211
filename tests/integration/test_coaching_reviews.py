"""Check-ins come back for spaced review: with the daily lesson or alone, at most one a day."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from coachbot.clock import SimulatedClock
from coachbot.content.models import CheckIn
from coachbot.conversation import Coach
from coachbot.delivery.ports import TransientError
from coachbot.messages import Outgoing, Reply
from tests.conftest import Chat
from tests.delivery_kit import Town
from tests.integration.test_delivery_console import converse

BERLIN = "Europe/Berlin"


def at(when: str) -> datetime:
    return datetime.fromisoformat(when).replace(tzinfo=ZoneInfo(BERLIN))


def checkin(coach: Coach, lesson_id: str) -> CheckIn:
    found = coach.content.lesson(lesson_id)
    assert found is not None
    return found[0].lessons[found[1]].checkin


def number_of(coach: Coach, lesson_id: str, best: bool = True) -> str:
    """The number of the best (or of a wrong) choice as the lesson itself lists them."""
    return str(next(i for i, c in enumerate(checkin(coach, lesson_id).choices) if c.best == best) + 1)


def is_review(out: Outgoing) -> bool:
    return out.reply.text.startswith("A quick look back")


def review_messages(town: Town, user: str) -> list[Outgoing]:
    """Every review the learner got, sent with a lesson or on its own (whatever other extras,
    follow-ups and confidence questions, came on other days)."""
    return [out for out in town.messenger.to(user) if is_review(out)]


def reviews(town: Town, user: str) -> list[Reply]:
    return [out.reply for out in review_messages(town, user)]


def review_days(town: Town, user: str) -> list[str]:
    return [out.metadata["local_time"][:10] for out in review_messages(town, user)]


async def do_lesson(coach: Coach, town: Town, chat: Chat) -> str:
    """Answer the lesson that came last by its best button (a typed number could answer the
    day's other question, a follow-up), so the next lesson comes the next day."""
    lesson = town.received(chat.user)[-1].reply.lesson
    assert lesson is not None
    best = next(c.text for c in checkin(coach, lesson.lesson_id).choices if c.best)
    shown = town.received(chat.user)[-1].reply.choices
    return await chat.press(next(c.action for c in shown if c.label == best))


async def answer(coach: Coach, chat: Chat, review: Reply, lesson_id: str, best: bool = True) -> str:
    """Type the number that the review shows for the best (or a wrong) choice."""
    wanted = next(c.text for c in checkin(coach, lesson_id).choices if c.best == best)
    shown = [choice.label for choice in review.choices]
    return await chat.say(str(shown.index(wanted) + 1))


async def test_a_check_in_comes_back_two_days_later_with_the_lesson_in_an_order_of_its_own(
        coach: Coach, clock: SimulatedClock) -> None:
    clock.set(at("2026-03-02T08:00"))
    town = Town(coach, clock)
    ann = await town.learner("ann", BERLIN, "09:00")
    assert "Good call." in await ann.say(number_of(coach, "basics-1"))
    await town.wait_until(BERLIN, "2026-03-03T10:00")
    # Tuesday's extra is the follow-up on Monday's lesson; basics-2 done, basics-3 comes next.
    assert "Good call." in await do_lesson(coach, town, ann)
    await town.wait_until(BERLIN, "2026-03-04T10:00")

    coach_messages = town.received("ann", "coach")
    assert [out.metadata["local_time"][:16] for out in coach_messages if is_review(out)] == [
        "2026-03-04T09:00"]
    assert town.local_times("ann", "coach") == ["2026-03-03 09:00", "2026-03-04 09:00"]
    lesson, review = town.messenger.to("ann")[-2:]
    assert lesson.reply.lesson is not None and lesson.reply.lesson.lesson_id == "basics-3"
    assert review.reply.text.startswith('A quick look back at "Pick one place to begin":')
    assert checkin(coach, "basics-1").question in review.reply.text
    content_order = [c.text for c in checkin(coach, "basics-1").choices]
    shown = [c.label for c in review.reply.choices]
    assert sorted(shown) == sorted(content_order) and shown != content_order

    scored = await answer(coach, ann, review.reply, "basics-1")
    assert "Good call." in scored and "This one comes back in 7 days." in scored
    assert 'Your check-in for "Listen before you speak" is still open' in scored
    # The typed number is the lesson's again: 2 is its best answer.
    assert "You picked 2" in await ann.say(number_of(coach, "basics-3"))
    assert "Reviews: 1 done, 100% answered well" in await ann.say("progress")
    # Tuesday's extra was the follow-up; on Wednesday basics-2's was due too, but the review's turn came.
    assert not is_review(coach_messages[0]) and coach_messages[0].reply.text.startswith("Yesterday's")


async def test_the_lesson_answered_by_its_button_leaves_the_review_open_to_typed_numbers(
        coach: Coach, clock: SimulatedClock) -> None:
    clock.set(at("2026-03-02T08:00"))
    town = Town(coach, clock)
    ann = await town.learner("ann", BERLIN, "09:00")
    await ann.say(number_of(coach, "basics-1"))
    await town.wait_until(BERLIN, "2026-03-03T10:00")
    await do_lesson(coach, town, ann)  # basics-2 done: basics-3 comes with the review
    await town.wait_until(BERLIN, "2026-03-04T10:00")
    lesson, review = town.messenger.to("ann")[-2:]
    assert lesson.reply.lesson is not None and lesson.reply.lesson.lesson_id == "basics-3"
    assert is_review(review)
    assert "Good call." in await ann.press(lesson.reply.choices[1].action)  # basics-3's best
    scored = await answer(coach, ann, review.reply, "basics-1")
    assert "comes back in 7 days" in scored and "still open" not in scored


async def test_after_the_track_the_review_comes_alone_at_delivery_time(
        coach: Coach, clock: SimulatedClock) -> None:
    clock.set(at("2026-03-02T08:00"))
    town = Town(coach, clock)
    ann = await town.learner("ann", BERLIN, "18:00")
    await ann.say(number_of(coach, "basics-1", best=False))  # wrong: back the next day
    for _ in coach.content.default_track.lessons[1:]:
        await ann.say("next")
        await ann.say("done")  # done without answering: nothing else to review
    await town.wait_until(BERLIN, "2026-03-06T08:00")

    # One extra a day and no lesson left, so each comes alone as the daily message: the track's
    # end confidence question first, then the follow-up (the kind sent last is skipped), then
    # the review, due since Tuesday.
    daily = town.received("ann")
    assert [out.metadata["local_time"][:16] for out in daily] == [
        "2026-03-03T18:00", "2026-03-04T18:00", "2026-03-05T18:00"]
    assert [out.reply.lesson for out in daily] == [None, None, None]
    assert daily[0].reply.text.startswith("How confident")
    assert [is_review(out) for out in daily] == [False, False, True]
    assert town.received("ann", "coach") == []
    scored = await answer(coach, ann, daily[2].reply, "basics-1")
    assert "Good call." in scored and "still open" not in scored
    assert "There's nothing to choose right now" in await ann.say("1")

    # A week after it was answered the platform fails at first: the retry still brings it, once.
    sent = len(town.messenger.attempts)
    town.messenger.answer("ann", TransientError("502 Bad Gateway"))
    await town.wait_until(BERLIN, "2026-03-14T08:00")
    assert review_days(town, "ann") == ["2026-03-05", "2026-03-13"]
    later = [out for out in town.messenger.attempts[sent:] if out.chat_id == "ann"]
    assert len(later) == 2 and all(is_review(out) for out in later)


async def test_wrong_answers_come_back_sooner_and_two_right_in_a_row_drop_it(
        coach: Coach, clock: SimulatedClock) -> None:
    clock.set(at("2026-03-02T08:00"))
    town = Town(coach, clock)
    ann = await town.learner("ann", BERLIN, "09:00")
    await ann.say(number_of(coach, "basics-1", best=False))
    # Tuesday's extra is the follow-up on Monday's lesson: the review, due since, comes Wednesday.
    await town.wait_until(BERLIN, "2026-03-04T10:00")
    assert review_days(town, "ann") == ["2026-03-04"]
    wrong = await answer(coach, ann, reviews(town, "ann")[-1], "basics-1", best=False)
    assert "Not quite." in wrong and "The best move:" in wrong
    assert "comes back tomorrow" in wrong
    await town.wait_until(BERLIN, "2026-03-05T10:00")
    assert "comes back in 7 days" in await answer(coach, ann, reviews(town, "ann")[-1], "basics-1")
    # She finishes the track (done without answering: nothing else to review), so no lesson
    # left open waits, nor pauses her, until the review comes back alone a week later.
    await ann.say("done")
    for _ in coach.content.default_track.lessons[2:]:
        await ann.say("next")
        await ann.say("done")
    await town.wait_until(BERLIN, "2026-03-12T10:00")
    assert review_days(town, "ann") == ["2026-03-04", "2026-03-05", "2026-03-12"]
    assert "won't come back" in await answer(coach, ann, reviews(town, "ann")[-1], "basics-1")
    await town.wait_until(BERLIN, "2026-04-02T10:00")

    assert review_days(town, "ann") == ["2026-03-04", "2026-03-05", "2026-03-12"]
    assert "Reviews: 3 done, 67% answered well" in await ann.say("progress")


async def test_one_review_a_day_and_one_left_unanswered_comes_back(
        coach: Coach, clock: SimulatedClock) -> None:
    clock.set(at("2026-03-02T08:00"))
    town = Town(coach, clock)
    ann = await town.learner("ann", BERLIN, "09:00")
    for lesson_id in ("basics-1", "basics-2", "basics-3"):  # three reviews due the same day
        if lesson_id != "basics-1":
            await ann.say("next")
        await ann.say(number_of(coach, lesson_id))
    await town.wait_until(BERLIN, "2026-03-04T23:00")
    assert review_days(town, "ann") == ["2026-03-04"]
    await answer(coach, ann, reviews(town, "ann")[-1], "basics-1")
    await town.wait_until(BERLIN, "2026-03-06T23:00")  # the 5th's is left unanswered

    assert review_days(town, "ann") == ["2026-03-04", "2026-03-05", "2026-03-06"]
    asked = [review.choices[0].action.split(":")[1] for review in reviews(town, "ann")]
    assert asked == ["basics-1", "basics-2", "basics-2"]
    first, again = reviews(town, "ann")[1:]
    assert [c.label for c in first.choices] == [c.label for c in again.choices]  # the same review
    # The 5th's buttons still answer it: it is the review open today.
    scored = await ann.press(first.choices[0].action)
    assert "Good call." in scored or "Not quite." in scored
    assert "You've already answered this review" in await ann.press(first.choices[0].action)


async def test_a_stale_review_button_is_refused_kindly(coach: Coach, clock: SimulatedClock) -> None:
    clock.set(at("2026-03-02T08:00"))
    town = Town(coach, clock)
    ann = await town.learner("ann", BERLIN, "09:00")
    await ann.say(number_of(coach, "basics-1"))
    await town.wait_until(BERLIN, "2026-03-04T10:00")
    review = reviews(town, "ann")[-1]
    await ann.say("next")  # a new lesson takes the conversation elsewhere
    closed = await ann.press(review.choices[0].action)
    assert "That review is closed. It will come back another day." in closed
    assert ann.last[0].rejected_action
    await town.wait_until(BERLIN, "2026-03-05T10:00")
    assert review_days(town, "ann") == ["2026-03-04", "2026-03-05"]


async def test_no_review_in_quiet_hours_while_paused_or_after_stop(
        coach: Coach, clock: SimulatedClock) -> None:
    clock.set(at("2026-03-02T08:00"))
    town = Town(coach, clock)
    chats = {user: await town.learner(user, BERLIN, "09:00") for user in ("ann", "bob", "cat")}
    for chat in chats.values():
        await chat.say(number_of(coach, "basics-1"))
    await town.wait_until(BERLIN, "2026-03-03T10:00")
    await chats["bob"].say("pause")
    await chats["cat"].say("stop")
    # Down all day on the 4th until 21:30: nothing goes out at night, the review waits a day.
    await town.wait_until(BERLIN, "2026-03-04T08:00")
    clock.set(at("2026-03-04T21:30"))
    town.restart()
    await town.wait_until(BERLIN, "2026-03-05T10:00")
    await chats["bob"].say("resume")
    await town.wait_until(BERLIN, "2026-03-07T10:00")

    # Left unanswered, each comes back every morning from its first day on.
    assert review_days(town, "ann") == ["2026-03-05", "2026-03-06", "2026-03-07"]
    assert review_days(town, "bob") == ["2026-03-06", "2026-03-07"]
    assert review_days(town, "cat") == []


async def test_a_restart_the_same_day_sends_nothing_twice(coach: Coach, clock: SimulatedClock) -> None:
    clock.set(at("2026-03-02T08:00"))
    town = Town(coach, clock)
    ann = await town.learner("ann", BERLIN, "09:00")
    await ann.say(number_of(coach, "basics-1"))
    await town.wait_until(BERLIN, "2026-03-04T09:00")
    await town.wait(timedelta(seconds=1))  # the lesson went; its review is due seconds later
    assert review_days(town, "ann") == []
    town.restart()
    await town.wait_until(BERLIN, "2026-03-04T12:00")
    town.restart()
    await town.wait_until(BERLIN, "2026-03-04T23:00")

    assert review_days(town, "ann") == ["2026-03-04"]
    assert town.local_times("ann") == ["2026-03-03 09:00", "2026-03-04 09:00"]


async def test_a_review_keeps_the_local_time_across_the_change_to_summer_time(
        coach: Coach, clock: SimulatedClock) -> None:
    clock.set(at("2026-03-27T08:00"))  # Friday; clocks go forward early on Sunday the 29th
    town = Town(coach, clock)
    ann = await town.learner("ann", BERLIN, "09:00")
    await ann.say(number_of(coach, "basics-1"))
    await town.wait_until(BERLIN, "2026-03-30T08:00")

    # Saturday's extra was the follow-up on Friday's lesson; Sunday's is the review.
    reviewed = review_messages(town, "ann")
    assert [out.metadata["kind"] for out in reviewed] == ["coach"]
    assert [out.metadata["local_time"][:16] for out in reviewed] == ["2026-03-29T09:00"]
    assert reviewed[0].metadata["local_time"].endswith("+02:00")


async def test_the_mentors_report_counts_the_groups_reviews(coach: Coach, clock: SimulatedClock) -> None:
    clock.set(at("2026-03-02T08:00"))
    town = Town(coach, clock)
    mentor = Chat(coach, "gina", platform="test", chat_id="-100", group=True, admin=True)
    for user in ("ann", "bob"):
        await town.learner(user, BERLIN, "09:00")
        await Chat(coach, user, chat_id="-100", group=True).say("hi all")
        await town.chats[user].say(number_of(coach, "basics-1"))
    assert "Reviews:" not in await mentor.say("report")
    await town.wait_until(BERLIN, "2026-03-04T10:00")
    await answer(coach, town.chats["ann"], reviews(town, "ann")[-1], "basics-1")
    await answer(coach, town.chats["bob"], reviews(town, "bob")[-1], "basics-1", best=False)

    assert "Reviews: done 2; answered well 50%" in await mentor.say("report")



async def test_the_terminal_shows_the_review_after_a_wait_and_takes_its_number(
        database_url: str, coach: Coach) -> None:
    best = next(c.text for c in checkin(coach, "basics-1").choices if c.best)
    # Her own order puts the best answer of basics-1 (2nd in the lesson) first this time.
    # Onboarding asks what brings her, the track, the zone and the time; the start confidence
    # question right after the first lesson takes the first number ("3"), the lesson the next.
    text = await converse(database_url, "2026-03-07T08:00-05:00", "start", "", "", "", "09:00",
                          "3", number_of(coach, "basics-1"), "wait 2d2h", "1")
    assert "You picked 2" in text
    review = text.index('A quick look back at "Pick one place to begin":')
    assert text.index("[Mon 9 Mar 2026 09:00 (America/New_York)]") < review
    assert f"  1. {best}" in text[review:]
    assert "Good call." in text[review:] and "This one comes back in 7 days." in text[review:]
