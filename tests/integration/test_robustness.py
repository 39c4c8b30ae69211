"""Every input gets a helpful reply and loses nothing: zones, numbers, odd text, an empty FAQ."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.content import Content
from coachbot.conversation import Coach
from coachbot.faq import LexicalMatcher
from coachbot.store.models import CheckInAnswer, Group, Learner, LessonRecord
from tests.conftest import Chat

REGIONS = {"Europe": "Europe/Berlin", "America": "America/New_York", "US": "America/New_York",
           "Etc": "UTC", "europe": "Europe/Berlin"}


async def learner(sessions: async_sessionmaker[AsyncSession], user: str = "ann") -> Learner:
    async with sessions() as session:
        found = await session.scalar(select(Learner).where(Learner.platform_user_id == user))
        assert found is not None
        return found


async def count(sessions: async_sessionmaker[AsyncSession], model: type[object]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize(("region", "city"), REGIONS.items())
async def test_a_region_for_a_zone_asks_which_city(chat: Chat, region: str, city: str) -> None:
    await chat.onboard()
    reply = await chat.say(f"tz {region}")
    assert f"{region} is a region; which city?" in reply
    assert city in reply
    assert f"tz:{city}" in chat.choices  # the cities are offered as buttons too


async def test_a_region_at_the_onboarding_zone_question_keeps_onboarding(chat: Chat,
                                                                         sessions: async_sessionmaker[
                                                                             AsyncSession]) -> None:
    await chat.say("start")
    await chat.say("")  # what brings you here: the first answer
    await chat.say("")
    reply = await chat.say("Europe")
    assert "Europe is a region; which city?" in reply
    reply = await chat.say("Europe/London")
    assert "What time should your daily lesson arrive?" in reply
    assert (await learner(sessions)).timezone == "Europe/London"


async def test_an_overlong_zone_name_is_answered(chat: Chat) -> None:
    await chat.onboard()
    for text in ("tz " + "Europe/" * 50, "tz " + "x" * 300, "tz Europe/../../etc/passwd", "tz /etc/passwd"):
        reply = await chat.say(text)
        assert "time zone" in reply, text[:40]


async def test_a_mentor_scheduling_in_a_region_is_asked_for_a_city(coach: Coach) -> None:
    mentor = Chat(coach, "gina", chat_id="-100", group=True, admin=True)
    reply = await mentor.say("schedule 09:00 America")
    assert "America is a region; which city?" in reply and "America/New_York" in reply
    reply = await mentor.say("schedule 09:00 " + "y" * 300)
    assert "too long for a time zone name" in reply


@pytest.mark.parametrize("text", ["²", "①", "³²", "1" * 4_301, "9" * 50, "Ⅻ"])
async def test_number_like_text_that_is_no_choice_is_answered(chat: Chat, text: str) -> None:
    await chat.onboard()
    reply = await chat.say(text)
    assert reply.strip()
    reply = await chat.say(f"track {text}")
    assert "There's no track" in reply


async def test_digits_of_any_script_pick_a_choice(chat: Chat, content: Content) -> None:
    await chat.say("start")
    await chat.say("")  # what brings you here: the first answer
    reply = await chat.say("٢")  # Arabic-Indic two
    assert f"Great choice: {content.tracks[1].title}." in reply


@pytest.mark.parametrize("action", ["answer:basics-1:²", "answer:basics-1:" + "7" * 5_000,
                                    "cmd:²", "cmd:" + "1" * 4_400, "track:²", "tz:²", "time:²",
                                    "faq:²", "done:²", "nonsense", ""])
async def test_odd_button_data_is_answered(chat: Chat, action: str) -> None:
    await chat.onboard()
    reply = await chat.press(action)
    assert reply.strip()


@pytest.mark.parametrize("text", ["hello\x00world", "tz Europe/Berlin\x00", "\ud800\udfff?",
                                  "caf\udce9 au lait", "\x07\x1b[31mred\x1b[0m", "\x00"])
async def test_text_every_database_refuses_is_cleaned_once(chat: Chat, text: str,
                                                           sessions: async_sessionmaker[AsyncSession]
                                                           ) -> None:
    await chat.onboard()
    reply = await chat.say(text)
    assert reply.strip()
    odd = Chat(chat.coach, user="weird\x00\ud800name", chat_id="c\x00hat")
    assert (await odd.say("start")).strip()
    assert "\x00" not in (await learner(sessions, "weird\ufffd\ufffdname")).platform_user_id


async def test_a_reflection_with_a_nul_byte_is_saved(chat: Chat, content: Content,
                                                     sessions: async_sessionmaker[AsyncSession]) -> None:
    track = next(t for t in content.tracks if any(lesson.checkin.is_reflection for lesson in t.lessons))
    index = next(i for i, lesson in enumerate(track.lessons) if lesson.checkin.is_reflection)
    await chat.onboard(track=track.id)
    for _ in range(index):
        await chat.say("done")  # `next` with a lesson open would ask about it first
        await chat.say("next")
    reply = await chat.say("I want\x00 to reach \ud83d local parents")
    assert "saved it" in reply
    async with sessions() as session:
        saved = await session.scalar(select(CheckInAnswer.text).where(CheckInAnswer.text.is_not(None)))
    assert saved == "I want\ufffd to reach \ufffd local parents"


async def test_a_question_with_an_empty_faq_is_answered(content: Content,
                                                        sessions: async_sessionmaker[AsyncSession],
                                                        coach: Coach) -> None:
    empty = Content(tracks=list(content.tracks), faq=[])
    bare = Coach(empty, sessions, coach.clock, LexicalMatcher([]), coach.settings)
    chat = Chat(bare)
    await chat.onboard()
    reply = await chat.say("how do I write my first post?")
    assert "I don't know that one" in reply


async def test_a_typed_number_never_confirms_forget(chat: Chat,
                                                    sessions: async_sessionmaker[AsyncSession]) -> None:
    await chat.onboard()
    for answer in ("1", "2", "ok", "sure", "delete"):
        assert "cannot be undone" in await chat.say("forget")
        reply = await chat.say(answer)
        assert "Nothing was deleted" in reply, answer
        assert await count(sessions, Learner) == 1
    assert "cannot be undone" in await chat.say("forget")
    assert "Everything I stored about you is deleted" in await chat.say("yes")
    assert await count(sessions, Learner) == 0


async def test_a_command_while_confirming_forget_runs_and_keeps_the_data(
        chat: Chat, sessions: async_sessionmaker[AsyncSession]) -> None:
    await chat.onboard()
    await chat.say("forget")
    reply = await chat.say("progress")
    assert "Nothing was deleted" in reply and "lessons done" in reply
    assert "is deleted" not in await chat.say("1")  # the old buttons no longer delete
    assert await count(sessions, Learner) == 1


async def test_a_stale_forget_button_deletes_nothing(chat: Chat,
                                                     sessions: async_sessionmaker[AsyncSession]) -> None:
    await chat.onboard()
    await chat.say("forget")
    await chat.press("forget:no")
    reply = await chat.press("forget:yes")
    assert "nothing was deleted" in reply
    assert chat.last[0].rejected_action
    assert await count(sessions, Learner) == 1
    await chat.say("forget")
    assert "deleted" in await chat.press("forget:yes")
    assert await count(sessions, Learner) == 0


async def test_skip_is_no_silent_alias_of_next(chat: Chat,
                                               sessions: async_sessionmaker[AsyncSession]) -> None:
    await chat.onboard()
    reply = await chat.say("skip")
    assert "Did you mean next?" in reply
    assert await count(sessions, LessonRecord) == 1


async def test_group_messages_with_odd_ids_are_answered(coach: Coach,
                                                        sessions: async_sessionmaker[AsyncSession]) -> None:
    member = Chat(coach, "ann", chat_id="-100\x00\ud800", group=True)
    assert (await member.say("hello")).strip()
    assert await count(sessions, Group) == 1
