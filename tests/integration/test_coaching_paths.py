"""A personal path and confidence before and after, as a learner and a mentor see them.

The fixture curriculum's paths: a personal account (and a team) takes basics, replies, habits;
a community takes replies first; a business takes habits first and has no replies on its path.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.authoring.check import check_content
from coachbot.clock import SimulatedClock
from coachbot.content import Content, load_content
from coachbot.conversation import Coach
from coachbot.learning.path import path_of
from coachbot.store.models import Confidence, Learner
from tests.conftest import Chat
from tests.delivery_kit import Town
from tests.unit.test_content import copy_content

BERLIN = "Europe/Berlin"
QUESTION = "How confident do you feel about"


def at(when: str) -> datetime:
    return datetime.fromisoformat(when).replace(tzinfo=ZoneInfo(BERLIN))


async def stored(sessions: async_sessionmaker[AsyncSession], user: str = "ann") -> Learner:
    async with sessions() as session:
        found = await session.scalar(select(Learner).where(Learner.platform_user_id == user))
        assert found is not None
        return found


def coached(town: Town, user: str = "ann") -> list[tuple[str, str, str]]:
    """Everything the scheduler sent `user`, daily messages and extras alike, as (local
    'YYYY-MM-DD HH:MM', outbox kind, what it was): a lesson's id, "waiting:<lesson>" for the note
    that an open lesson still waits, "rate:<track>:<moment>" for a confidence question,
    "tried:<lesson>" for a follow-up on a try-this, else the text's first line (a reminder)."""
    sent = []
    for out in town.messenger.to(user):
        when = datetime.fromisoformat(out.metadata["local_time"]).strftime("%Y-%m-%d %H:%M")
        first = out.reply.choices[0].action if out.reply.choices else ""
        if out.reply.lesson is not None:
            what = out.reply.lesson.lesson_id
        elif first.startswith("tried:") or (QUESTION in out.reply.text and first.startswith("rate:")):
            what = first.rpartition(":")[0]  # without the score or the outcome
        elif "still waiting" in out.reply.text and first.startswith("cmd:lesson "):
            what = "waiting:" + first.removeprefix("cmd:lesson ")
        else:
            what = out.reply.text.splitlines()[0]
        sent.append((when, out.metadata["kind"], what))
    return sent


async def finish_track(chat: Chat, content: Content, track_id: str) -> None:
    """Take and mark done every lesson left in the learner's current track."""
    track = content.track(track_id)
    assert track is not None
    for _ in track.lessons:
        await chat.say("done")
        await chat.say("next")


# -- onboarding --------------------------------------------------------------------------

async def test_what_brings_you_here_by_button_number_label_ok_and_a_question_first(
        coach: Coach, sessions: async_sessionmaker[AsyncSession]) -> None:
    answers = {"ann": ("purpose:team", "team"), "bob": ("3", "business"),
               "cat": ("a community or club", "community"), "dan": ("ok", "personal"),
               "eve": ("it's for my small business", "business")}
    for user, (answer, purpose) in answers.items():
        chat = Chat(coach, user)
        welcome = await chat.say("start")
        assert "What brings you here?" in welcome and "4. A team at work" in welcome
        assert chat.choices == ["purpose:personal", "purpose:community", "purpose:business",
                                "purpose:team"]
        if user == "dan":  # a question of her own first: answered, then asked again
            reply = await chat.say("how do I change my delivery time later?")
            assert "time HH:MM" in reply or "time 07" in reply or "`time" in reply
            assert "What brings you here?" in chat.last[-1].text
        reply = await (chat.press(answer) if answer.startswith("purpose:") else chat.say(answer))
        assert "Which track would you like to start with?" in reply
        assert (await stored(sessions, user)).purpose == purpose
    fay = Chat(coach, "fay")
    await fay.say("start")
    assert "I don't have 'a rocket' as an answer" in await fay.say("a rocket")
    assert fay.choices[0] == "purpose:personal"


async def test_the_paths_first_track_is_offered_first_and_gives_the_first_lesson(
        chat: Chat, content: Content) -> None:
    await chat.say("start")
    question = await chat.say("business")
    assert "1. Small habits that last through busy weeks" in question
    assert "2. Getting started" in question
    assert "Other tracks, if you'd like to look further:\n3. Replies that start conversations" in question
    assert "ok for 1. Small habits that last through busy weeks." in question
    await chat.say("ok")
    await chat.say("")
    first = await chat.say("")
    assert "Small habits that last through busy weeks · lesson 1 of 4" in first


async def test_any_track_can_still_be_picked_off_the_path(chat: Chat) -> None:
    await chat.onboard(purpose="business", track="3")  # listed under the other tracks
    assert chat.first_lesson is not None
    assert "Replies that start conversations · lesson 1" in chat.first_lesson.text
    assert "Switched to Getting started" in await chat.say("track basics")


async def test_learners_from_before_the_question_keep_every_track_on_their_path(
        chat: Chat, sessions: async_sessionmaker[AsyncSession]) -> None:
    await chat.onboard()
    async with sessions() as session, session.begin():
        learner = await session.scalar(select(Learner))
        assert learner is not None
        learner.purpose = None
    shown = await chat.say("path")
    assert "You haven't told me what brings you here" in shown and "personal, community" in shown
    assert "purpose:business" in chat.choices
    await chat.say("done")  # lessons wait: the open first one is done before the next comes
    assert "lesson 2 of 5" in await chat.say("next")
    changed = await chat.press("purpose:community")
    assert "Your path is now for A community or club." in changed
    assert "1. Replies that start conversations [replies] (next)" in changed


# -- path ----------------------------------------------------------------------------------

async def test_path_marks_done_current_and_next_and_says_how_to_switch(
        chat: Chat, content: Content) -> None:
    await chat.onboard(purpose="community", track="2")  # Getting started, second on the path
    await finish_track(chat, content, "basics")
    await chat.say("track habits")
    shown = await chat.say("path")
    assert shown.startswith("Your path (A community or club):")
    assert "1. Replies that start conversations [replies] (next)" in shown
    assert "2. Getting started [basics] (done)" in shown
    assert "3. Small habits that last through busy weeks [habits] (you are here)" in shown
    assert "Type track <id> to take any track" in shown and "path <personal|community|business|team>" in shown
    assert "Your path is now for A small business." in await chat.say("path business")
    assert "I don't have 'pirates'" in await chat.say("path pirates")


async def test_finishing_a_track_offers_the_next_one_on_the_path(chat: Chat, content: Content) -> None:
    await chat.onboard(purpose="community")  # replies first; its next_track in the content is habits
    await finish_track(chat, content, "replies")
    finished = chat.last[-1]
    assert "finished every lesson in Replies that start conversations" in finished.text
    assert "A good next step: Getting started. Type track basics" in finished.text
    assert [c.action for c in finished.choices] == ["track:basics"]


async def test_the_last_lesson_done_ends_the_track_there_and_then(chat: Chat, content: Content) -> None:
    await chat.onboard(purpose="community")
    track = content.track("replies")
    assert track is not None
    for _ in track.lessons[1:]:
        await chat.say("done")
        await chat.say("next")
    last = await chat.say("done")  # no `next` needed to hear that the track is over
    assert "Marked as done." in last
    assert "finished every lesson in Replies that start conversations" in last
    assert [c.action for c in chat.last[-1].choices] == ["track:basics"]


# -- confidence ----------------------------------------------------------------------------

async def test_confidence_at_the_start_then_the_open_check_in_takes_numbers_again(
        chat: Chat, sessions: async_sessionmaker[AsyncSession]) -> None:
    await chat.onboard(confidence=None)
    assert f"{QUESTION} taking your first steps on one network?" in chat.last[-1].text
    assert [c.action for c in chat.last[-1].choices] == [f"rate:basics:start:{n}" for n in range(1, 6)]
    assert "Pick a number from 1 (not at all) to 5 (very)." in await chat.say("7")
    thanks = await chat.say("2")
    assert "Thanks: 2 of 5, noted." in thanks
    assert 'Your check-in on "Pick one place to begin" is still open' in thanks
    assert "You picked 2" in await chat.say("2")  # the check-in's choice, not a rating
    assert "already told me that one: 2 of 5" in await chat.press("rate:basics:start:5")
    async with sessions() as session:
        rows = list(await session.scalars(select(Confidence)))
    assert [(r.track_id, r.moment, r.score) for r in rows] == [("basics", "start", 2)]


async def test_switching_to_a_new_track_asks_right_away_and_only_once(chat: Chat) -> None:
    await chat.onboard()
    switched = await chat.say("track replies")
    assert f"{QUESTION} replying in a way that starts a conversation?" in switched
    assert "Thanks: 4 of 5" in await chat.press("rate:replies:start:4")
    await chat.say("track basics")
    assert QUESTION not in await chat.say("track replies")
    assert "That button has expired" in await chat.press("rate:habits:end:3")


async def test_the_end_question_comes_with_the_next_daily_message_and_shows_in_progress(
        coach: Coach, clock: SimulatedClock, content: Content) -> None:
    clock.set(at("2026-03-02T08:00"))
    town = Town(coach, clock)
    ann = await town.learner("ann", BERLIN, "09:00")
    await ann.say("done")
    await town.wait_until(BERLIN, "2026-03-02T20:00")
    await finish_track(ann, content, "basics")
    assert "Confidence in" not in await ann.say("progress")
    await town.wait_until(BERLIN, "2026-03-03T20:00")
    # The track is done, so the question is Tuesday's daily message itself (the follow-up on
    # the last try-this, due too, comes after it in the order and waits a day).
    asked = town.received("ann")
    assert [out.reply.text.split("?")[0] for out in asked] == [
        f"{QUESTION} taking your first steps on one network"]
    assert town.local_times("ann") == ["2026-03-03 09:00"]
    assert [c.action for c in asked[0].reply.choices] == [f"rate:basics:end:{n}" for n in range(1, 6)]
    assert "it was 3 of 5 when you began" in await ann.say("5")
    assert "Confidence in taking your first steps on one network: 3 → 5" in await ann.say("progress")
    await town.wait_until(BERLIN, "2026-03-04T20:00")
    assert coached(town) == [("2026-03-03 09:00", "lesson", "rate:basics:end"),  # asked once
                             ("2026-03-04 09:00", "lesson", "tried:basics-5")]


async def test_a_learner_whose_start_was_never_asked_gets_it_after_the_days_lesson(
        coach: Coach, clock: SimulatedClock, sessions: async_sessionmaker[AsyncSession]) -> None:
    clock.set(at("2026-03-02T08:00"))
    town = Town(coach, clock)
    ann = await town.learner("ann", BERLIN, "09:00")
    async with sessions() as session, session.begin():  # as if onboarded before confidence
        await session.execute(delete(Confidence))
    await ann.say("done")
    await town.wait_until(BERLIN, "2026-03-03T20:00")
    town.restart()
    await town.wait_until(BERLIN, "2026-03-05T08:00")
    assert town.local_times("ann") == ["2026-03-03 09:00", "2026-03-04 09:00"]
    questions = [out for out in town.messenger.to("ann") if QUESTION in out.reply.text]
    assert len(questions) == 1  # once, after a restart too
    assert [c.action for c in questions[0].reply.choices] == [f"rate:basics:start:{n}" for n in range(1, 6)]
    # One extra a day: the question took Tuesday's, right after the day's lesson (so no
    # reminder of that open lesson either); the follow-up on Monday's try-this, due too, came
    # on Wednesday, with the note that Tuesday's lesson still waits.
    assert coached(town) == [("2026-03-03 09:00", "lesson", "basics-2"),
                             ("2026-03-03 09:00", "coach", "rate:basics:start"),
                             ("2026-03-04 09:00", "lesson", "waiting:basics-2"),
                             ("2026-03-04 09:00", "coach", "tried:basics-1")]
    assert town.local_times("ann", "reminder") == []


async def test_the_end_question_survives_a_restart_and_a_dst_change(
        coach: Coach, clock: SimulatedClock, content: Content) -> None:
    clock.set(at("2026-03-28T10:00"))  # Saturday; clocks go forward in Berlin overnight
    town = Town(coach, clock)
    ann = await town.learner("ann", BERLIN, "09:00", track="")
    await finish_track(ann, content, "basics")
    town.restart()
    await town.wait_until(BERLIN, "2026-03-29T08:59")
    town.restart()
    await town.wait_until(BERLIN, "2026-03-31T10:00")
    # 09:00 on summer time, once; the follow-up on the last try-this, due too, took Monday.
    assert coached(town) == [("2026-03-29 09:00", "lesson", "rate:basics:end"),
                             ("2026-03-30 09:00", "lesson", "tried:basics-5")]
    assert QUESTION in town.received("ann")[0].reply.text
    assert town.received("ann")[0].metadata["local_time"].endswith("+02:00")
    assert "Thanks: 4 of 5" in await ann.press("rate:basics:end:4")


async def test_no_question_while_paused_or_after_stop(
        coach: Coach, clock: SimulatedClock, content: Content) -> None:
    clock.set(at("2026-03-02T10:00"))
    town = Town(coach, clock)
    ann, bob = await town.learner("ann", BERLIN, "09:00"), await town.learner("bob", BERLIN, "09:00")
    for chat in (ann, bob):
        await finish_track(chat, content, "basics")
    await ann.say("pause")
    await bob.say("stop")
    await town.wait_until(BERLIN, "2026-03-04T20:00")
    assert town.received("ann") == [] and town.received("bob") == []
    await ann.say("resume")
    await town.wait_until(BERLIN, "2026-03-05T20:00")
    assert town.local_times("ann") == ["2026-03-05 09:00"] and town.received("bob") == []
    assert QUESTION in town.received("ann")[0].reply.text


async def test_the_mentor_report_shows_the_groups_confidence_lift(
        coach: Coach, clock: SimulatedClock, content: Content) -> None:
    clock.set(at("2026-03-02T08:00"))
    town = Town(coach, clock)
    mentor = Chat(coach, "gina", chat_id="-100", group=True, admin=True)
    assert "Confidence lift" not in await mentor.say("report")
    ann, bob = (await town.learner("ann", BERLIN, "09:00"), await town.learner("bob", BERLIN, "09:00"))
    for chat in (ann, bob):
        await Chat(coach, chat.user, chat_id="-100", group=True).say("hello all")
        await finish_track(chat, content, "basics")
    assert "Confidence lift: not enough answers yet" in await mentor.say("report")
    await town.wait_until(BERLIN, "2026-03-03T10:00")
    await ann.say("5")
    report = await mentor.say("report")
    assert ("Confidence lift: mean at the start of a track 3.0; mean at its end 5.0; "
            "members who answered both 1") in report


# -- content -------------------------------------------------------------------------------

def test_content_check_names_an_audience_coaching_yaml_does_not_define(tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    track = root / "tracks" / "habits.yaml"
    text = track.read_text()
    track.write_text(text.replace("early_for: [business]", "early_for:\n  - business\n  - shop"))
    line = text[:text.index("early_for:")].count("\n") + 3
    problems = [str(p) for p in check_content(load_content(root)).problems]
    assert f"habits.yaml:{line}: early_for[1]: unknown audience 'shop'" in "\n".join(problems)
    (root / "coaching.yaml").write_text(
        "path:\n  audiences:\n    - id: shop\n      label: A shop\n")
    problems = [str(p) for p in check_content(load_content(root)).problems]
    assert any("unknown audience 'business'" in p for p in problems)
    assert not any("'shop'" in p for p in problems)


def test_the_bundled_paths_put_strategy_early_for_a_business_and_values_only_for_teams(
        bundled_content: Content) -> None:
    paths = {a.id: [t.id for t in path_of(bundled_content, a.id)]
             for a in bundled_content.coaching.path.audiences}
    assert paths["business"][0] == "strategy" and paths["team"][0] == "strategy"
    assert paths["personal"][0] == "first-week" and paths["community"][0] == "first-week"
    assert [purpose for purpose, path in paths.items() if "values" in path] == ["team"]
    assert all(track.teaches for track in bundled_content.tracks)
