"""A newcomer on Telegram: /start, onboarding with buttons, and a week of daily lessons."""

from __future__ import annotations

import copy
from datetime import timedelta

from coachbot.bootstrap import App
from coachbot.conversation.commands import COMMANDS, MENTOR_COMMANDS
from tests.adapters.fake_telegram import Json
from tests.adapters.telegram.conftest import Harness, Person, buttons, texts

CHECK = "✓ "


def best_answer(app: App, lesson_id: str) -> str:
    found = app.content.lesson(lesson_id)
    assert found is not None
    track, index = found
    return next(c.text for c in track.lessons[index].checkin.choices if c.best)


def title_of(app: App, lesson_id: str) -> str:
    found = app.content.lesson(lesson_id)
    assert found is not None
    return found[0].lessons[found[1]].title


def bold(message: Json) -> list[str]:
    text = str(message["text"])
    return [text[e["offset"]:e["offset"] + e["length"]] for e in message.get("entities", [])
            if e["type"] == "bold"]


async def onboard(ann: Person) -> Json:
    """Onboard by typing (the defaults) and rate the first track; returns the first lesson."""
    await ann.say("/start")
    await ann.say("1")
    await ann.say("1")
    await ann.say("Tokyo")
    sent = await ann.say("09:00")
    await ann.say("3")
    return sent[-2]


async def test_the_menu_lists_every_learner_command_and_admins_also_see_mentor_ones(
        telegram: Harness) -> None:
    default, admins = telegram.fake.calls_to("setMyCommands")
    listed = [c["command"] for c in default.params["commands"]]
    assert listed == list(COMMANDS)
    for name in ("start", "today", "next", "done", "progress", "tracks", "time", "tz", "pause",
                 "resume", "stop", "forget", "help"):
        assert name in listed
    assert "scope" not in default.params or default.params["scope"]["type"] == "default"
    assert admins.params["scope"]["type"] == "all_chat_administrators"
    assert [c["command"] for c in admins.params["commands"]] == [*COMMANDS, *MENTOR_COMMANDS]
    descriptions = {c["command"]: c["description"] for c in default.params["commands"]}
    assert descriptions["time"] == "Change your daily delivery time"


async def test_a_newcomer_onboards_with_buttons_and_takes_a_week_of_lessons(
        telegram: Harness, app: App) -> None:
    ann = telegram.person(1001, "Ann")
    welcome = (await ann.say("/start"))[-1]
    assert "What brings you here?" in welcome["text"]
    audiences = app.content.coaching.path.audiences
    assert [b["text"] for b in buttons(welcome)] == [a.label for a in audiences]
    asked_track = (await ann.press(welcome, "A personal account"))[-1]
    assert ann.inbox()[0]["text"].endswith(f"{CHECK}A personal account")
    assert "Which track would you like to start with?" in asked_track["text"]
    assert len(buttons(asked_track)) == len(app.content.tracks)

    asked_zone = await ann.press(asked_track, "Getting started")
    assert asked_track["message_id"] == ann.inbox()[2]["message_id"]
    assert ann.inbox()[2]["text"].endswith(f"{CHECK}1. Getting started")
    assert "reply_markup" not in ann.inbox()[2]  # the old buttons are gone
    assert "Which time zone are you in?" in texts(asked_zone)

    # Telegram never tells a person's zone: she types a city, misspelled, and picks a suggestion.
    suggestions = await ann.say("Tokio")
    assert "I don't know the time zone 'Tokio'" in texts(suggestions)
    asked_time = await ann.press(suggestions[-1], "Asia/Tokyo")
    assert "What time should your daily lesson arrive?" in texts(asked_time)
    presets = asked_time[-1]["reply_markup"]["inline_keyboard"]
    assert len(presets) == 1 and [b["text"] for b in presets[0]] == ["07:00", "09:00", "12:30", "18:00"]

    week = app.content.default_track
    opening = week.lessons[0]
    best = next(i for i, c in enumerate(opening.checkin.choices) if c.best) + 1
    first = await ann.press(asked_time[-1], "09:00")
    assert "All set. Your lesson arrives every day at 09:00 (Asia/Tokyo time)" in texts(first)
    lesson, confidence = first[-2:]
    assert f"How confident do you feel about {week.teaches}?" in confidence["text"]
    assert [b["text"] for b in buttons(confidence)] == ["1", "2", "3", "4", "5"]
    assert "Thanks: 4 of 5" in texts(await ann.press(confidence, "4"))
    assert bold(lesson)[0] == opening.title
    numbers = [str(n) for n in range(1, len(opening.checkin.choices) + 1)]
    assert [b["text"] for b in buttons(lesson)] == numbers

    stale = copy.deepcopy(lesson)  # as a phone that has not seen the edit yet shows it
    answered = await ann.press(lesson, best_answer(app, "basics-1"))
    assert "Good call." in texts(answered) and "Streak: 1 day." in texts(answered)
    shown = next(m for m in ann.inbox() if m["message_id"] == lesson["message_id"])
    assert f"{CHECK}{best}. {best_answer(app, 'basics-1')}" in shown["text"]
    assert "reply_markup" not in shown
    assert bold(shown)[0] == title_of(app, "basics-1")  # the edit kept the formatting
    # A second tap that was already on its way (the old copy still had buttons) changes nothing.
    again = await ann.press(stale, "1")
    assert f"You've already answered this check-in (you picked {best})" in texts(again)

    # 21:00 in Tokyo now; each morning at 09:00 the scheduler's lesson arrives in her chat.
    await telegram.advance(timedelta(hours=12, minutes=5))
    for day, taught in enumerate(week.lessons[1:], start=2):
        lesson_id = taught.id
        lesson = next(m for m in reversed(ann.inbox()) if bold(m))
        extra = ann.inbox()[-1]  # the day's one extra after it: a follow-up or a review
        assert extra is not lesson and buttons(extra), f"day {day}"
        if "How did it go?" in extra["text"]:
            await ann.press(extra, "Tried it, got a response")
        assert bold(lesson)[0] == title_of(app, lesson_id), f"day {day}"
        if taught.checkin.is_reflection:  # the week ends with a reflection, with a button to mark it done
            assert [b["text"] for b in buttons(lesson)] == ["Mark as done"]
            assert "Marked as done." in texts(await ann.press(lesson, "Mark as done"))
        elif day == 3:
            assert "Marked as done." in texts(await ann.say("/done"))
        elif day == 4:  # a typed number picks the same as the button would
            if extra is ann.last():  # a review that came after it takes typed numbers first
                await ann.press(extra, "1")
            number = next(b["text"] for b in buttons(lesson)
                          if b["callback_data"].endswith(":0"))
            assert "You picked 1" in texts(await ann.say(number))
        else:
            assert "You picked" in texts(await ann.press(lesson, best_answer(app, lesson_id)))
        await telegram.advance(timedelta(days=1))

    progress = texts(await ann.say("/progress"))
    days = len(week.lessons)
    assert f"Track: Getting started: {days} of {days} lessons done" in progress
    assert f"Streak: {days} days." in progress
    lessons = [m for m in ann.inbox() if bold(m) and "lesson" in m["text"]]
    assert len(lessons) == days  # one a day, none twice, none after the track ended
    pressed = [u for u in telegram.fake.fed if "callback_query" in u]
    assert len(telegram.fake.calls_to("answerCallbackQuery")) == len(pressed)  # every spinner stopped
    assert telegram.app.throttles.for_platform("telegram").tracked_chats >= 1  # replies took slots


async def test_every_learner_command_works_as_a_telegram_command(telegram: Harness) -> None:
    ann = telegram.person(1001, "Ann")
    await onboard(ann)
    assert "You're all set" in texts(await ann.say("/start"))
    assert "(You've already done this one" not in texts(await ann.say("/today"))
    assert "Marked as done." in texts(await ann.say("/done"))
    nxt = await ann.say("/next")
    assert f"lesson 2 of {len(telegram.app.content.default_track.lessons)}" in texts(nxt)
    tracks = (await ann.say("/tracks"))[-1]
    switched = await ann.press(tracks, "Replies that start conversations")
    assert "Switched to Replies that start conversations" in texts(switched)
    assert "18:30 (Asia/Tokyo time)" in texts(await ann.say("/time 18:30"))
    assert "Time zone set to Europe/Berlin" in texts(await ann.say("/tz Berlin"))
    assert "Paused." in texts(await ann.say("/pause"))
    assert "Welcome back" in texts(await ann.say("/resume"))
    assert "time HH:MM" in texts(await ann.say("/help"))
    assert "Stopped" in texts(await ann.say("/stop"))
    assert "Welcome back" in texts(await ann.say("/start"))
    assert "I don't know the command '/frobnicate'" in texts(await ann.say("/frobnicate"))

    confirm = (await ann.say("/forget"))[-1]
    assert [b["text"] for b in buttons(confirm)] == ["Yes, delete everything", "No, keep it"]
    done = await ann.press(confirm, "Yes, delete everything")
    assert "Everything I stored about you is deleted" in texts(done)
    assert ann.inbox()[len(ann.inbox()) - 2]["text"].endswith(f"{CHECK}Yes, delete everything")
    assert "You haven't started yet" in texts(await ann.say("/progress"))


async def test_plain_text_goes_to_the_faq_with_buttons_when_it_is_unclear(
        telegram: Harness, app: App) -> None:
    ann = telegram.person(1001, "Ann")
    answer = texts(await ann.say("How do I set my time zone?"))
    entry = next(e for e in app.content.faq if e.question == "How do I set my time zone?")
    assert entry.answer.strip()[:60] in answer
    unclear = next(q for q in ("should I post every day", "how often should I post", "what should I post",
                               "is it bad to post", "should I delete my post", "my posts and my followers")
                   if app.coach.faq.match(q).ambiguous and app.coach.faq.match(q).candidates)
    offered = (await ann.say(unclear))[-1]
    candidates = app.coach.faq.match(unclear).candidates
    assert "Pick one" in offered["text"]
    assert [b["callback_data"] for b in buttons(offered)] == [f"faq:{e.id}" for e in candidates]
    picked = await ann.press(offered, "1")
    assert candidates[0].answer.strip()[:60] in texts(picked)
    assert "reply_markup" not in ann.inbox()[len(ann.inbox()) - 2]
