"""The conversation's states: what each accepts, shown through what a learner sees."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.content import Content
from coachbot.conversation import Coach
from coachbot.conversation.commands import MENTOR_COMMANDS, REGISTRY
from coachbot.conversation.onboarding import COMMON_ZONES, TIME_PRESETS
from coachbot.learning.state import (
    IDLE,
    AwaitingCheckin,
    ConfirmingForget,
    Onboarding,
    dump_state,
    parse_state,
)
from coachbot.store.models import Learner
from tests.conftest import Chat


async def stored(sessions: async_sessionmaker[AsyncSession], user: str = "ann") -> Learner:
    async with sessions() as session:
        found = await session.scalar(select(Learner).where(Learner.platform_user_id == user))
        assert found is not None
        return found


def test_states_survive_the_database_round_trip() -> None:
    for state in (IDLE, Onboarding("track"), Onboarding("tz"), Onboarding("time"),
                  AwaitingCheckin("basics-3"), ConfirmingForget()):
        assert parse_state(dump_state(state)) == state
    assert parse_state("onboard:nonsense") == IDLE and parse_state("garbage") == IDLE


async def test_numbers_pick_the_offered_zone_and_time_during_onboarding(
        chat: Chat, sessions: async_sessionmaker[AsyncSession]) -> None:
    await chat.say("start")
    await chat.say("")  # what brings you here: the first answer
    await chat.say("1")
    reply = await chat.say("2")  # the second zone button
    assert "I don't know the time zone" not in reply
    assert "What time should your daily lesson arrive?" in reply
    reply = await chat.say("3")  # the third time button
    assert f"All set. Your lesson arrives every day at {TIME_PRESETS[2]}" in reply
    learner = await stored(sessions)
    assert (learner.timezone, learner.delivery_time) == (COMMON_ZONES[1], TIME_PRESETS[2])


async def test_a_question_during_onboarding_is_answered_not_taken_as_a_zone(
        chat: Chat, sessions: async_sessionmaker[AsyncSession]) -> None:
    await chat.say("start")
    await chat.say("")  # what brings you here: the first answer
    await chat.say("")
    reply = await chat.say("how do I change my delivery time later?")
    assert "I don't know the time zone" not in reply
    assert "`time" in reply or "time HH:MM" in reply or "time 07" in reply
    assert reply.rstrip().endswith(chat.last[-1].text.rstrip())
    assert "Which time zone are you in?" in chat.last[-1].text
    assert (await stored(sessions)).pending == "onboard:tz"  # still at the same question


async def test_a_command_during_onboarding_runs_then_says_how_to_go_on(chat: Chat) -> None:
    await chat.say("start")
    await chat.say("")  # what brings you here: the first answer
    await chat.say("")
    reply = await chat.say("help")
    assert "Here is what I understand" in reply
    assert "Which time zone are you in?" in chat.last[-1].text
    reply = await chat.say("Tokyo")
    assert "What time should your daily lesson arrive?" in reply


async def test_help_shows_mentors_their_commands_in_their_group(coach: Coach) -> None:
    mentor = Chat(coach, "gina", chat_id="-100", group=True, admin=True)
    learner = Chat(coach, "ann", chat_id="-100", group=True)
    for_mentor, for_learner = await mentor.say("help"), await learner.say("help")
    for usage in MENTOR_COMMANDS.values():
        assert usage in for_mentor
        assert usage not in for_learner


def test_every_command_is_declared_once_with_a_handler_and_usage() -> None:
    names = [c.name for c in REGISTRY]
    aliases = [a for c in REGISTRY for a in c.aliases]
    assert len(set(names + aliases)) == len(names) + len(aliases)
    assert all(c.usage.startswith(c.name) and callable(c.handler) for c in REGISTRY)


async def test_a_reflection_typed_while_its_check_in_is_open_is_saved(chat: Chat, content: Content) -> None:
    track = next(t for t in content.tracks if any(lesson.checkin.is_reflection for lesson in t.lessons))
    index = next(i for i, lesson in enumerate(track.lessons) if lesson.checkin.is_reflection)
    await chat.onboard(track=track.id)
    for _ in range(index):
        await chat.say("done")  # `next` with a lesson open would ask about it first
        await chat.say("next")
    assert "saved it" in await chat.say("Parents at the school gate, mostly.")
    assert "saved it" not in await chat.say("Another thought after the check-in closed")
