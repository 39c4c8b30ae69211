"""Whatever reaches the webhook or the poller: refused cleanly, handled once, or set aside."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.store.models import Learner, Membership
from tests.adapters.fake_telegram import Json
from tests.adapters.telegram.conftest import WAIT, Harness, buttons, group, private, texts, user
from tests.adapters.telegram.test_groups import GROUP, at

ANONYMOUS = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
DIARY = "my very private diary entry"


@pytest.fixture(autouse=True)
def _debug_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # what is refused must stay out of the log at every level


async def logged(caplog: pytest.LogCaptureFixture, text: str) -> None:
    async with asyncio.timeout(WAIT):
        while text not in caplog.text:
            await asyncio.sleep(0.02)


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    assert [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []


async def test_json_nested_100000_deep_with_the_right_secret_is_refused_with_400(webhook: Harness) -> None:
    assert await webhook.post(b"[" * 100_000 + b"]" * 100_000) == 400
    assert await webhook.post(b'{"update_id": 1, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}") == 400
    assert await webhook.post(b"\xff\xfe not UTF-8") == 400
    assert await webhook.post({"message": {"text": "no update id"}}) == 400
    assert await webhook.post({"update_id": 1, "message": {"text": DIARY * 50_000}}) == 413
    assert webhook.fake.calls_to("sendMessage") == []


async def test_an_update_this_library_cannot_read_is_refused_with_one_line_naming_it(
        webhook: Harness, caplog: pytest.LogCaptureFixture) -> None:
    unreadable = {"update_id": 4711, "message": {"date": 0, "chat": private(user(1001, "Ann")),
                                                "from": user(1001, "Ann"), "text": DIARY}}
    assert await webhook.post(unreadable) == 400
    lines = [r.getMessage() for r in caplog.records if "4711" in r.getMessage()]
    assert len(lines) == 1 and "message" in lines[0] and "cannot read" in lines[0]
    assert DIARY not in caplog.text


async def test_polling_moves_past_an_update_this_library_cannot_read(
        telegram: Harness, caplog: pytest.LogCaptureFixture) -> None:
    fake, ann = telegram.fake, telegram.person(1001, "Ann")
    fake.feed(fake.new_update(message={"date": 0, "chat": ann.chat, "from": ann.me, "text": DIARY}))
    assert "What brings you here?" in texts(await ann.say("/start"))
    lines = [r.getMessage() for r in caplog.records if "cannot read" in r.getMessage()]
    assert len(lines) == 1 and "(message)" in lines[0]
    assert DIARY not in caplog.text
    no_tracebacks(caplog)


async def test_the_same_update_sent_three_times_is_handled_once(webhook: Harness) -> None:
    fake, ann = webhook.fake, webhook.person(1001, "Ann")
    start = fake.message_update(ann.me, ann.chat, "/start")
    assert [await webhook.post(start) for _ in range(3)] == [200, 200, 200]
    await ann.say("/help")  # handled after the three: one person's updates go in order
    assert texts(fake.sent(1001)).count("Welcome! I'm your coach") == 1


async def test_an_update_polled_again_after_a_restart_is_handled_once(telegram: Harness) -> None:
    fake, ann = telegram.fake, telegram.person(1001, "Ann")
    start = fake.message_update(ann.me, ann.chat, "/start")
    await telegram.run(start)
    fake.feed(start)  # Telegram hands out again what was fetched but not confirmed
    await ann.say("/help")
    assert texts(fake.sent(1001)).count("Welcome! I'm your coach") == 1


async def test_updates_missing_what_telegram_always_sends_are_ignored_with_a_log_line(
        webhook: Harness, caplog: pytest.LogCaptureFixture) -> None:
    fake, ann, chat = webhook.fake, user(1001, "Ann"), group(GROUP)
    welcome = (await webhook.person(1001, "Ann").say("/start"))[-1]
    incomplete: list[tuple[Json, str]] = [
        (fake.new_update(message={"message_id": 70, "date": 0, "chat": chat, "text": at("/report")}),
         "message.from"),
        (fake.new_update(message={"message_id": 71, "date": 0, "from": ann, "text": "/start"}),
         "message.chat"),
        (fake.new_update(message={"message_id": 72, "date": 0, "from": ann, "text": 5,
                                  "chat": private(ann)}), "message.text"),
        (fake.new_update(callback_query={"id": "9", "chat_instance": "c", "data": "cmd:help",
                                         "message": welcome}), "callback_query.from"),
        (fake.new_update(my_chat_member={"chat": chat, "from": ann, "date": 0}),
         "my_chat_member.old_chat_member"),
    ]
    sent = len(fake.calls_to("sendMessage"))
    for update, missing in incomplete:
        assert await webhook.post(update) == 200  # accepted, so Telegram does not send it again
        await logged(caplog, f"telegram update {update['update_id']} has no usable {missing}")
    assert len(fake.calls_to("sendMessage")) == sent
    no_tracebacks(caplog)


async def test_a_mentor_command_refused_in_a_group_is_answered_in_private_where_possible(
        telegram: Harness) -> None:
    chat = group(GROUP)
    ben, carl = telegram.person(1002, "Ben"), telegram.person(1003, "Carl")
    await ben.say("/help")  # Ben has a private chat with the bot; Carl never opened one
    before = len(ben.inbox())
    assert await ben.say(at("/push next"), chat=chat) == []  # nothing in front of the group
    assert "Only this group's mentors can use push" in texts(ben.inbox()[before:])
    refused = await carl.say(at("/report"), chat=chat)
    assert "Only this group's mentors can use report" in texts(refused)
    assert refused[-1]["reply_to_message"]["from"]["id"] == carl.id
    assert "Members" not in texts(refused)  # the refusal names no data


async def test_an_anonymous_admin_steers_the_group_but_is_never_a_learner_or_member(
        telegram: Harness, sessions: async_sessionmaker[AsyncSession]) -> None:
    fake, chat = telegram.fake, group(GROUP)

    async def as_the_group(text: str) -> list[Json]:
        before = len(fake.sent(GROUP))
        await telegram.run(fake.message_update(ANONYMOUS, chat, text, sender_chat=chat))
        return fake.sent(GROUP)[before:]

    assert "Scheduled: a group lesson every day at 09:00" in texts(await as_the_group(
        at("/schedule 09:00 Europe/Berlin")))
    assert "lesson" in texts(await as_the_group(at("/progress")))  # explained, nothing stored
    await telegram.person(1002, "Ben").say(at("/help"), chat=chat)
    report = (await as_the_group(at("/report")))[-1]
    assert "Members: 1" in report["caption"]  # Ben; not the stand-in
    async with sessions() as session:
        stand_in = await session.scalar(select(func.count()).select_from(Learner).where(
            Learner.platform_user_id == str(ANONYMOUS["id"])))
        members = await session.scalar(select(func.count()).select_from(Membership))
    assert stand_in == 0 and members == 1


async def test_a_stale_button_is_not_shown_as_chosen(telegram: Harness) -> None:
    fake, ann = telegram.fake, telegram.person(1001, "Ann")
    welcome = (await ann.say("/start"))[-1]
    stored = fake.messages[(1001, welcome["message_id"])]
    buttons(stored)[0]["callback_data"] = "retired:feature"  # from a version of the bot long gone
    answer = await ann.press(stored, buttons(stored)[0]["text"])
    assert "That button has expired" in texts(answer)
    assert "✓" not in fake.messages[(1001, welcome["message_id"])]["text"]

