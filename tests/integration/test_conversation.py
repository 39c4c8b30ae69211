"""The conversation as dialogues: what a learner types, what the coach says, what is kept."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.clock import SimulatedClock
from coachbot.content import Content
from coachbot.conversation import Coach
from coachbot.store.models import CheckInAnswer, Learner, LessonRecord, TrackProgress
from tests.conftest import Chat


async def count(sessions: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def learner_row(sessions: async_sessionmaker[AsyncSession], user: str = "ann") -> Learner | None:
    async with sessions() as session:
        return await session.scalar(select(Learner).where(Learner.platform_user_id == user))


async def test_newcomer_journey_from_start_to_a_streak(chat: Chat, clock: SimulatedClock,
                                                       sessions: async_sessionmaker[AsyncSession],
                                                       content: Content) -> None:
    week = content.default_track
    first_lesson = week.lessons[0]
    wrong = next(i for i, c in enumerate(first_lesson.checkin.choices) if not c.best)
    welcome = await chat.say("start")
    assert "What brings you here?" in welcome and "1. A personal account" in welcome
    tracks = await chat.say("")
    assert "Which track" in tracks and f"1. {week.title}" in tracks
    assert await chat.say("") == f"Great choice: {week.title}.\n" + chat.last[1].text
    assert "Europe/Berlin" in chat.last[1].text  # the default zone is offered
    assert "09:00" in await chat.say("ok")
    first = await chat.say("")
    assert "every day at 09:00 (Europe/Berlin time)" in first
    assert f"{week.title} · lesson 1 of {len(week.lessons)}" in first
    assert "Try this today" in first and "Check-in:" in first
    lesson = chat.last[-2]
    assert lesson.lesson is not None and lesson.lesson.lesson_id == first_lesson.id
    assert [c.action for c in lesson.choices] == [
        f"answer:{first_lesson.id}:{i}" for i in range(len(first_lesson.checkin.choices))]
    assert "How confident do you feel about" in chat.last[-1].text
    assert "check-in" in await chat.say("3")  # the confidence question first, then the check-in

    answer = await chat.say(str(wrong + 1))
    assert f"You picked {wrong + 1}" in answer and "The best move:" in answer  # wrong choice is explained
    assert "Marked as done. Streak: 1 day." in answer

    clock.advance(timedelta(days=1))
    second = await chat.say("next")
    assert f"lesson 2 of {len(week.lessons)}" in second
    assert "Marked as done" in await chat.say("done")
    progress = await chat.say("/PROGRESS")
    assert f"{week.title}: 2 of {len(week.lessons)} lessons done" in progress
    assert f"Overall: 2 of {content.lesson_count} lessons done" in progress
    assert "Streak: 2 days." in progress
    assert "Next lesson: tomorrow at 09:00 (Europe/Berlin)" in progress
    assert await count(sessions, LessonRecord) == 2
    assert await count(sessions, CheckInAnswer) == 1


async def test_best_answer_is_praised_with_its_own_explanation(chat: Chat, content: object) -> None:
    await chat.onboard()
    assert chat.first_lesson is not None
    lesson = chat.first_lesson.lesson
    assert lesson is not None
    from coachbot.content.models import Content
    assert isinstance(content, Content)
    found = content.lesson(lesson.lesson_id)
    assert found is not None
    track, index = found
    choices = track.lessons[index].checkin.choices
    best = next(i for i, c in enumerate(choices) if c.best)
    reply = await chat.say(str(best + 1))
    assert "Good call." in reply and choices[best].explanation in reply
    assert "already answered" in await chat.press(f"answer:{lesson.lesson_id}:0")


async def test_today_shows_the_current_lesson_again(chat: Chat) -> None:
    await chat.onboard()
    assert chat.first_lesson is not None
    first = chat.first_lesson.text
    again = await chat.say("today")
    assert again == first
    await chat.say("done")
    assert "already done this one" in await chat.say("today")


async def test_onboarding_choices_zone_by_city_and_time(chat: Chat, content: Content) -> None:
    last = content.tracks[-1]  # picked by its number in the list
    await chat.say("start")
    await chat.say("ok")
    assert f"Great choice: {last.title}" in await chat.say(str(len(content.tracks)))
    assert "Did you mean" in await chat.say("Mars/Olympus")
    assert "What time" in await chat.say("tokyo")
    assert "I couldn't read '7pm'" in await chat.say("7pm")
    done = await chat.say("18:45")
    assert "every day at 18:45 (Asia/Tokyo time)" in done
    assert f"{last.title} · lesson 1 of {len(last.lessons)}" in done


async def test_tracks_switch_and_keep_progress_per_track(chat: Chat, content: Content) -> None:
    week, other = content.tracks[0], content.tracks[1]
    await chat.onboard()
    await chat.say("done")
    listing = await chat.say("tracks")
    assert f"1. {week.title} [{week.id}]: 1/{len(week.lessons)} done  <- current" in listing
    assert f"Switched to {other.title}" in await chat.say(f"track {other.id}")
    assert f"{other.title} · lesson 1 of {len(other.lessons)}" in await chat.say("next")
    await chat.say("done")
    switched_back = await chat.say(f"track {week.id}")
    assert f"next lesson there is 2 of {len(week.lessons)}" in switched_back
    progress = await chat.say("progress")
    assert f"{week.title}: 1 of {len(week.lessons)} lessons done" in progress
    assert f"Overall: 2 of {content.lesson_count}" in progress


async def test_time_and_zone_changes_with_helpful_errors(chat: Chat,
                                                         sessions: async_sessionmaker[AsyncSession]
                                                         ) -> None:
    await chat.onboard()
    assert "Use 24-hour HH:MM" in await chat.say("time 25:99")
    assert "Use 24-hour HH:MM" in await chat.say("time")
    assert "now arrives at 07:30" in await chat.say("time 7:30")
    wrong = await chat.say("tz Amerca/New_Yrok")
    assert "America/New_York" in wrong
    assert "tz:America/New_York" in chat.choices
    assert "Time zone set to America/New_York" in await chat.press("tz:America/New_York")
    row = await learner_row(sessions)
    assert row is not None and (row.timezone, row.delivery_time) == ("America/New_York", "07:30")


async def test_pause_resume_stop_and_start_again(chat: Chat, sessions: async_sessionmaker[AsyncSession],
                                                 content: Content) -> None:
    await chat.onboard()
    assert "Paused" in await chat.say("pause")
    assert "Lessons are paused" in await chat.say("progress")
    assert "already paused" in await chat.say("pause")
    resumed = await chat.say("resume")
    assert "is waiting for you" in resumed  # the first lesson, still open
    assert await count(sessions, LessonRecord) == 1  # resuming never floods a backlog
    assert "won't send you any more messages" in await chat.say("stop")
    assert "Type start to come back" in await chat.say("next")
    assert "Welcome back" in await chat.say("start")
    assert "still open" in await chat.say("next")
    assert f"lesson 2 of {len(content.default_track.lessons)}" in await chat.say("2")  # set aside


async def test_forget_needs_explicit_confirmation(chat: Chat,
                                                  sessions: async_sessionmaker[AsyncSession]) -> None:
    await chat.onboard()
    await chat.say("1")
    assert "cannot be undone" in await chat.say("forget")
    assert "kept everything" in await chat.say("hmm")
    assert await learner_row(sessions) is not None
    await chat.say("forget")
    assert "lessons done" in await chat.say("progress")  # a command cancels too
    assert await count(sessions, LessonRecord) == 1
    await chat.say("forget")
    assert "Everything I stored about you is deleted" in await chat.say("YES")
    assert await learner_row(sessions) is None
    for model in (LessonRecord, CheckInAnswer, TrackProgress):
        assert await count(sessions, model) == 0


async def test_forget_removes_only_that_learner(coach: Coach,
                                                sessions: async_sessionmaker[AsyncSession]) -> None:
    ann, bob = Chat(coach, "ann"), Chat(coach, "bob")
    await ann.onboard()
    await bob.onboard()
    await ann.say("forget")
    await ann.press("forget:yes")
    assert await learner_row(sessions, "ann") is None
    assert await learner_row(sessions, "bob") is not None
    assert await count(sessions, LessonRecord) == 1


async def test_commands_work_with_slash_any_case_and_botname(chat: Chat) -> None:
    await chat.onboard()
    for text in ("HELP", "/help", "/Help@coach_bot", "  help  "):
        assert "Here is what I understand" in await chat.say(text)


async def test_unknown_commands_get_a_hint_not_a_traceback(chat: Chat) -> None:
    assert "I don't know the command '/foo'" in await chat.say("/foo")
    assert "Did you mean progress?" in await chat.say("progres")
    assert "Did you mean tracks?" in await chat.say("/trakcs")


async def test_questions_answered_from_the_faq_or_honestly_not(chat: Chat, content: object) -> None:
    await chat.onboard()
    answer = await chat.say("How do I change the time my daily lesson arrives?")
    assert "`time" in answer or "time " in answer
    unknown = await chat.say("zxqv plork blimvar")
    assert "I don't know that one" in unknown and "mentor" in unknown


async def test_bad_input_is_answered_and_changes_nothing(chat: Chat,
                                                         sessions: async_sessionmaker[AsyncSession]
                                                         ) -> None:
    await chat.onboard()
    before = await learner_row(sessions)
    replies = {
        "": "I didn't catch anything",
        "x" * 10_000: "I don't know that one",
        "🙂🔥 مرحبا كيف حالك": "I don't know that one",
        "'; DROP TABLE learners; --": "I don't know that one",
        "tz Mars/Olympus": "I don't know the time zone 'Mars/Olympus'",
        "time 25:99": "I couldn't read '25:99'",
        "track nope": "There's no track 'nope'",
        "forget": "cannot be undone",
        "9": "Nothing was deleted",
    }
    for text, expected in replies.items():
        reply = await chat.say(text)
        assert expected in reply, (text[:30], reply)
        assert len(reply) < 2_000
    after = await learner_row(sessions)
    assert before is not None and after is not None
    assert (after.timezone, after.delivery_time, after.current_track, after.status) == (
        before.timezone, before.delivery_time, before.current_track, before.status)
    assert await count(sessions, LessonRecord) == 1


async def test_progress_survives_a_new_coach_on_the_same_database(
        coach: Coach, sessions: async_sessionmaker[AsyncSession]) -> None:
    ann = Chat(coach)
    await ann.onboard()
    await ann.say("done")
    restarted = Coach(coach.content, sessions, coach.clock, coach.faq, coach.settings)
    progress = await Chat(restarted).say("progress")
    assert f"1 of {len(coach.content.default_track.lessons)} lessons done" in progress
    assert "Streak: 1 day." in progress


async def test_reflection_check_in_takes_free_text(chat: Chat, content: object) -> None:
    from coachbot.content.models import Content
    assert isinstance(content, Content)
    track = next(t for t in content.tracks if any(lesson.checkin.is_reflection for lesson in t.lessons))
    index = next(i for i, lesson in enumerate(track.lessons) if lesson.checkin.is_reflection)
    await chat.onboard(track=track.id)
    for _ in range(index):
        await chat.say("done")  # `next` with a lesson open would ask about it first
        await chat.say("next")
    assert "Reply with your thoughts" in chat.last[-1].text
    assert "saved it" in await chat.say("I felt calmer once I replied to one person")
    assert f"{track.title}: " in await chat.say("progress")


async def test_finishing_a_track_points_to_the_next(chat: Chat, content: Content) -> None:
    week = content.default_track
    await chat.onboard()
    for _ in range(len(week.lessons) - 1):
        await chat.say("done")
        await chat.say("next")
    await chat.say("done")
    finished = await chat.say("next")
    assert f"finished every lesson in {week.title}" in finished
    assert f"track {week.next_track}" in finished
    assert f"track:{week.next_track}" in chat.choices


async def test_a_platform_without_zones_asks_for_a_city_with_common_choices(coach: Coach) -> None:
    telegram_like = Chat(coach, "tara", platform="telegram")  # no zone reported
    await telegram_like.say("start")
    await telegram_like.say("ok")
    ask = await telegram_like.say("ok")
    assert "Type your city" in ask and "Keep" not in ask
    assert "tz:Asia/Tokyo" in telegram_like.choices
    assert "What time" in await telegram_like.press("tz:Asia/Tokyo")
    assert "(Asia/Tokyo time)" in await telegram_like.say("ok")


async def test_a_reported_zone_is_offered_to_keep(coach: Coach) -> None:
    slack_like = Chat(coach, "sam", platform="slack", timezone="America/Chicago")
    await slack_like.say("start")
    await slack_like.say("ok")
    ask = await slack_like.say("ok")
    assert "I have America/Chicago" in ask and "tz:America/Chicago" in slack_like.choices


async def test_a_faq_answer_points_to_its_related_lesson(chat: Chat, content: object) -> None:
    from coachbot.content.models import Content
    assert isinstance(content, Content)
    entry = next(e for e in content.faq if e.lessons)
    found = content.lesson(entry.lessons[0])
    assert found is not None
    track, index = found
    await chat.onboard()
    reply = await chat.say(entry.question)
    assert entry.answer.strip()[:60] in reply
    assert f"(Related lesson: {track.lessons[index].title}." in reply


async def test_a_related_lesson_opens_from_the_answer(chat: Chat, content: object) -> None:
    from coachbot.content.models import Content
    assert isinstance(content, Content)
    def elsewhere(lesson_id: str) -> bool:  # later in a track the learner has not started
        found = content.lesson(lesson_id)
        return found is not None and found[0] != content.default_track and found[1] > 0

    entry = next(e for e in content.faq if e.lessons and elsewhere(e.lessons[0]))
    found = content.lesson(entry.lessons[0])
    assert found is not None
    track, index = found
    await chat.onboard()
    await chat.say(entry.question)
    assert chat.choices == [f"cmd:lesson {entry.lessons[0]}"]
    not_yet = await chat.press(chat.choices[0])
    assert f"That's lesson {index + 1} of {track.title}, which you haven't reached yet." in not_yet
    first = await chat.say(f"lesson {track.lessons[0].id}")
    assert track.lessons[0].title in first and f"Switch to {track.title}" in chat.last[0].choices[0].label
    await chat.press(chat.choices[0])
    had = await chat.say(f"lesson {content.default_track.lessons[0].id}")
    assert content.default_track.lessons[0].title in had and "Check-in:" in had
    assert "There's no lesson 'nope'" in await chat.say("lesson nope")
