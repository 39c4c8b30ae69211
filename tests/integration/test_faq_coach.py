"""The FAQ through the coach: answers, choices, small talk, the fallback and the miss log.

Each test runs with the matcher the bot chooses (the semantic hybrid, loaded with the first
question) and with the lexical one.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.clock import SimulatedClock
from coachbot.content import Content, FaqEntry
from coachbot.conversation import Coach
from coachbot.faq.base import FaqMatcher
from coachbot.faq.choose import LazyMatcher
from coachbot.faq.lexical import LexicalMatcher
from coachbot.settings import Settings
from coachbot.store.models import FaqMiss
from coachbot.store.repository import Repository
from tests.conftest import Chat
from tests.unit.test_faq_matching import shared_cache

TWINS = [
    FaqEntry(id="pause-lessons", question="How do I pause the daily lessons?",
             answer="Type pause and the lessons wait for you.", alternates=("stop the daily lessons",)),
    FaqEntry(id="check-in-reminders", question="How do I pause the daily reminders?",
             answer="Type reminders off and the nudges stop.", alternates=("stop the daily reminders",)),
]


@pytest.fixture(scope="module", params=["chosen", "lexical"])
def matcher(request: pytest.FixtureRequest, content: Content,
            tmp_path_factory: pytest.TempPathFactory) -> FaqMatcher:
    if request.param == "lexical":
        return LexicalMatcher(content.faq)
    return LazyMatcher(content.faq, shared_cache(tmp_path_factory))


@pytest.fixture
def coach(content: Content, sessions: async_sessionmaker[AsyncSession], clock: SimulatedClock,
          settings: Settings, matcher: FaqMatcher) -> Coach:
    return Coach(content, sessions, clock, matcher, settings, default_zone="Europe/Berlin")


async def misses(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, int]]:
    async with sessions() as session:
        return [(m.question, m.count) for m in await Repository(session).faq_misses()]


async def test_a_question_in_the_learners_own_words_gets_the_answer(chat: Chat) -> None:
    said = await chat.say("can i take a holiday from the tips")
    assert "pause" in said and "resume" in said


async def test_small_talk_gets_a_friendly_reply_and_is_not_logged_as_a_miss(
        chat: Chat, sessions: async_sessionmaker[AsyncSession]) -> None:
    assert "Hi!" in await chat.say("hello!")
    assert "welcome" in await chat.say("Thanks :)")
    assert "your coach" in await chat.say("who are you?")
    assert "fun" in await chat.say("lol")
    assert "kind of you" in await chat.say("ur kinda cool")
    assert "Great" in await chat.say("ok cool")
    assert "Great" in await chat.say("😂👍")
    assert await misses(sessions) == []


async def test_small_talk_never_gets_an_faq_answer_or_a_lesson(chat: Chat) -> None:
    for message in ("lol", "ur kinda cool", "ok cool", "haha nice", "you're the best"):
        said = await chat.say(message)
        assert "Related lesson" not in said and "I don't know" not in said, message
        assert chat.choices == [], message


async def test_an_off_topic_question_says_so_names_the_mentor_route_and_is_logged(
        chat: Chat, settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
    said = await chat.say("whats the capital of australia")
    assert "I don't know that one" in said
    assert settings.mentor_contact in said
    assert await misses(sessions) == [("whats the capital of australia", 1)]


async def test_the_miss_log_counts_repeats_of_the_same_question_and_keeps_the_last_time(
        coach: Coach, clock: SimulatedClock, sessions: async_sessionmaker[AsyncSession]) -> None:
    ann, bob = Chat(coach, "ann"), Chat(coach, "bob")
    await ann.say("How do I boil eggs soft?")  # no topic, for either matcher
    clock.advance(timedelta(hours=2))
    await bob.say("how do i boil eggs soft")
    await ann.say("how tall is mount everest")
    clock.advance(timedelta(hours=1))
    last = clock.now()
    await bob.say("how do I boil eggs, soft")
    async with sessions() as session:
        rows = await Repository(session).faq_misses()
    assert [(r.count, r.question.lower().strip("?").replace(",", "")) for r in rows] == [
        (3, "how do i boil eggs soft"), (1, "how tall is mount everest")]
    assert rows[0].last_asked == last


async def test_forget_removes_the_learners_misses_and_keeps_everyone_elses(
        coach: Coach, sessions: async_sessionmaker[AsyncSession]) -> None:
    ann, bob = Chat(coach, "ann"), Chat(coach, "bob")
    await ann.say("whats the capital of australia")
    await bob.say("how tall is mount everest")
    await ann.say("forget")
    await ann.say("yes")
    assert await misses(sessions) == [("how tall is mount everest", 1)]
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(FaqMiss)) == 1


async def test_close_topics_are_offered_as_choices_and_picking_one_answers_it(
        content: Content, sessions: async_sessionmaker[AsyncSession], clock: SimulatedClock,
        settings: Settings) -> None:
    twins = Content(tracks=content.tracks, faq=list(TWINS))
    coach = Coach(twins, sessions, clock, LexicalMatcher(twins.faq), settings)
    chat = Chat(coach)
    said = await chat.say("can i pause the daily")
    assert "which of these" in said
    assert set(chat.choices) == {"faq:pause-lessons", "faq:check-in-reminders"}
    assert "reminders off" in await chat.say(str(chat.choices.index("faq:check-in-reminders") + 1))
    assert await misses(sessions) == []


async def test_a_question_near_several_topics_offers_them_by_title_and_only_a_fallback_is_logged(
        chat: Chat, sessions: async_sessionmaker[AsyncSession], matcher: FaqMatcher) -> None:
    """The lexical matcher falls back with suggestions here; the semantic one asks which was meant."""
    said = await chat.say("my parrot ignores my streak")
    fell_back = "I don't know that one" in said and "Maybe one of these is close?" in said
    assert fell_back or "I'm not sure which of these you mean" in said
    assert fell_back == isinstance(matcher, LexicalMatcher)
    assert "faq:what-is-a-streak" in chat.choices
    assert next(c.label for r in chat.last for c in r.choices).endswith("?")
    assert "streak" in await chat.say(str(chat.choices.index("faq:what-is-a-streak") + 1))
    assert await misses(sessions) == ([("my parrot ignores my streak", 1)] if fell_back else [])
