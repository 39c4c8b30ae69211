"""What Telegram answers, and what the coach makes of it: blocked, flood limits, moved, refused."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.error import BadRequest

from coachbot.delivery.ports import ChatMoved, RateLimited, RecipientGone, TransientError
from coachbot.learning.render import lesson_reply
from coachbot.messages import Outgoing, Reply
from coachbot.store.models import Learner, OutboxMessage
from tests.adapters.fake_telegram import Json
from tests.adapters.telegram.conftest import Harness, Person, texts

BLOCKED = "Forbidden: bot was blocked by the user"


async def onboarded(telegram: Harness) -> Person:
    """Ann, onboarded in Tokyo at 09:00; it is 21:00 there, the first lesson done."""
    ann = telegram.person(1001, "Ann")
    for text in ("/start", "1", "1", "Tokyo", "09:00", "3", "/done"):
        await ann.say(text)
    return ann


def first_titles(telegram: Harness) -> list[str]:
    """The titles of the default track's first two lessons, as the bot sends them."""
    return [lesson.title for lesson in telegram.app.content.default_track.lessons[:2]]


def lesson_titles(messages: list[Json]) -> list[str]:
    return [m["text"].splitlines()[0] for m in messages if " · lesson " in m.get("text", "")]


async def learner(sessions: async_sessionmaker[AsyncSession]) -> Learner:
    async with sessions() as session:
        found = await session.scalar(select(Learner))
        assert found is not None
        return found


async def outbox(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.mark.parametrize(("status", "description", "parameters", "expected"), [
    (403, BLOCKED, None, RecipientGone),
    (403, "Forbidden: bot was kicked from the group chat", None, RecipientGone),
    (400, "Bad Request: chat not found", None, RecipientGone),
    (429, "Too Many Requests: retry after 7", {"retry_after": 7}, RateLimited),
    (400, "Bad Request: group chat was upgraded to a supergroup chat", {"migrate_to_chat_id": -100777},
     ChatMoved),
    (502, "Bad Gateway", None, TransientError),
    (400, "Bad Request: message thread not found", None, BadRequest),  # refused: not sent again
])
async def test_telegram_errors_become_the_cores_messenger_errors(
        telegram: Harness, status: int, description: str, parameters: Json | None,
        expected: type[Exception]) -> None:
    telegram.fake.started.add(1001)
    telegram.fake.fail("sendMessage", status, description, chat_id=1001, parameters=parameters)
    with pytest.raises(expected) as raised:
        await telegram.adapter.messenger.send(Outgoing("telegram", "1001", Reply("Hello")))
    if isinstance(raised.value, RateLimited):
        assert raised.value.retry_after == 7
    if isinstance(raised.value, ChatMoved):
        assert raised.value.new_chat_id == "-100777"


async def test_a_long_message_arrives_in_parts_under_the_limit(telegram: Harness) -> None:
    telegram.fake.started.add(1001)
    paragraphs = [f"Paragraph {i}: " + " ".join(["a few words about engagement 🙂"] * 30) for i in range(12)]
    text = "\n\n".join(paragraphs)
    message_id = await telegram.adapter.messenger.send(Outgoing("telegram", "1001", Reply(text)))
    parts = telegram.fake.sent(1001)
    assert len(parts) == 3 and message_id == str(parts[-1]["message_id"])
    assert all(len(p["text"].encode("utf-16-le")) // 2 <= 4096 for p in parts)
    assert "\n\n".join(p["text"] for p in parts) == text.strip()


async def test_a_learner_who_blocked_the_bot_gets_nothing_until_they_unblock_it(
        telegram: Harness, sessions: async_sessionmaker[AsyncSession]) -> None:
    ann = await onboarded(telegram)
    telegram.fake.fail("sendMessage", 403, BLOCKED, chat_id=ann.id)
    await telegram.advance(timedelta(hours=12, minutes=5))  # 09:05 in Tokyo
    assert (await learner(sessions)).unreachable
    # The lesson failed, and the follow-up planned to come after it was not even tried.
    assert [(row.kind, row.status) for row in await outbox(sessions)] == [
        ("lesson", "failed"), ("coach", "skipped")]

    # Telegram tells the bot when she blocks or unblocks it (my_chat_member).
    await telegram.run(telegram.fake.member_update(ann.chat, ann.me, "kicked", "member"))
    assert not (await learner(sessions)).unreachable
    await telegram.advance(timedelta(days=1))
    assert lesson_titles(ann.inbox())[-1] == first_titles(telegram)[1]  # lesson 2 was not skipped

    await telegram.run(telegram.fake.member_update(ann.chat, ann.me, "member", "kicked"))
    assert (await learner(sessions)).unreachable
    tried = len(telegram.fake.calls_to("sendMessage"))
    await telegram.advance(timedelta(days=1))
    assert len(telegram.fake.calls_to("sendMessage")) == tried  # not even tried


async def test_a_flood_limit_on_a_lesson_delays_it_and_it_arrives_once(
        telegram: Harness, sessions: async_sessionmaker[AsyncSession]) -> None:
    ann = await onboarded(telegram)
    telegram.fake.fail("sendMessage", 429, "Too Many Requests: retry after 5", chat_id=ann.id,
                       parameters={"retry_after": 5})
    await telegram.advance(timedelta(hours=12, minutes=5))
    attempts = [c for c in telegram.fake.calls_to("sendMessage") if c.chat_id == ann.id]
    assert lesson_titles(ann.inbox()) == first_titles(telegram)
    week = len(telegram.app.content.default_track.lessons)
    assert sum(f" · lesson 2 of {week}" in str(c.params.get("text")) for c in attempts) == 2
    # The lesson, once; then the follow-up on the first lesson's try-this, which came after it.
    assert [(row.kind, row.status) for row in await outbox(sessions)] == [
        ("lesson", "sent"), ("coach", "sent")]


async def test_a_server_error_is_retried_later(telegram: Harness) -> None:
    ann = await onboarded(telegram)
    telegram.fake.fail("sendMessage", 502, "Bad Gateway", chat_id=ann.id, times=2)
    await telegram.advance(timedelta(hours=12, minutes=5))
    assert lesson_titles(ann.inbox()) == first_titles(telegram)


async def test_a_reply_waits_out_a_short_flood_limit(telegram: Harness) -> None:
    ann = telegram.person(1001, "Ann")
    telegram.fake.started.add(ann.id)
    telegram.fake.fail("sendMessage", 429, "Too Many Requests: retry after 1", chat_id=ann.id,
                       parameters={"retry_after": 1})
    answer = await ann.say("/help")
    assert "Here is what I understand" in texts(answer) and len(answer) == 1
    assert len(telegram.fake.calls_to("sendMessage")) == 2


async def test_a_flood_wait_met_by_an_answer_holds_back_scheduled_lessons_too(telegram: Harness) -> None:
    ann = await onboarded(telegram)  # her next lesson is due at 09:00 in Tokyo, 12 hours from now
    await telegram.advance(timedelta(hours=11, minutes=59))
    bob = telegram.person(1002, "Bob")
    telegram.fake.started.add(bob.id)  # nothing was sent to him yet: a 429 is the bot's flood wait
    telegram.fake.fail("sendMessage", 429, "Too Many Requests: retry after 3", chat_id=bob.id,
                       parameters={"retry_after": 3})
    answering = asyncio.create_task(bob.say("/help"))
    async with asyncio.timeout(15):
        while not (refused := [c for c in telegram.fake.calls_to("sendMessage") if c.chat_id == bob.id]):
            await asyncio.sleep(0.01)
    await telegram.advance(timedelta(minutes=2))  # Ann's lesson comes due during the flood wait
    assert "Here is what I understand" in texts(await answering)
    lesson = [c for c in telegram.fake.calls_to("sendMessage")
              if c.chat_id == ann.id and " · lesson " in str(c.params.get("text"))][-1]
    assert lesson_titles(ann.inbox())[-1] == first_titles(telegram)[1]
    assert lesson.at - refused[0].at >= 3  # nothing went out while Telegram held the bot back


async def test_a_reply_to_someone_who_blocked_the_bot_marks_them_unreachable(
        telegram: Harness, sessions: async_sessionmaker[AsyncSession]) -> None:
    ann = await onboarded(telegram)
    telegram.fake.fail("sendMessage", 403, BLOCKED, chat_id=ann.id)
    assert await ann.say("/progress") == []
    assert (await learner(sessions)).unreachable


async def test_one_persons_wait_does_not_hold_up_anyone_else(telegram: Harness) -> None:
    ann, bob = telegram.person(1001, "Ann"), telegram.person(1002, "Bob")
    telegram.fake.started.update({ann.id, bob.id})
    telegram.fake.hold(ann.id, until_sent_to=bob.id)  # Telegram is slow with Ann's answer
    first = telegram.fake.message_update(ann.me, ann.chat, "/help")
    second = telegram.fake.message_update(bob.me, bob.chat, "/help")
    await asyncio.gather(telegram.run(first), telegram.run(second))
    assert "Here is what I understand" in texts(ann.inbox())
    assert bob.inbox()[0]["message_id"] < ann.inbox()[0]["message_id"]  # Bob didn't wait for her


async def test_a_lesson_telegram_cannot_format_still_arrives_as_plain_text(telegram: Harness) -> None:
    telegram.fake.started.add(1001)
    telegram.fake.fail("sendMessage", 400, "Bad Request: can't parse entities: unsupported tag",
                       chat_id=1001)
    track = telegram.app.content.default_track
    await telegram.adapter.messenger.send(Outgoing("telegram", "1001", lesson_reply(track, 0)))
    [lesson] = telegram.fake.sent(1001)
    assert lesson["text"].startswith(lesson_reply(track, 0).text) and "entities" not in lesson
    assert len(lesson["reply_markup"]["inline_keyboard"][0]) == 3  # the answers are still buttons
