"""Telegram groups: privacy mode, deep links, mentor commands, a migrated group, removal."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.store.models import Group
from tests.adapters.fake_telegram import BOT_USERNAME, Json
from tests.adapters.telegram.conftest import MENTOR_ID, Harness, buttons, group, texts

GROUP = -100500
LINK = f"https://t.me/{BOT_USERNAME}?start=g{GROUP}"


def at(command: str) -> str:
    """A command as Telegram writes it in a group with several bots: /report@coach_test_bot."""
    name, _, rest = command.partition(" ")
    return f"{name}@{BOT_USERNAME} {rest}".strip()


def url_buttons(message: Json) -> list[str]:
    return [b["url"] for b in buttons(message) if "url" in b]


async def group_row(sessions: async_sessionmaker[AsyncSession], chat_id: int) -> Group | None:
    async with sessions() as session:
        found: Group | None = await session.scalar(select(Group).where(Group.chat_id == str(chat_id)))
        return found


async def test_a_mentor_runs_a_group_and_members_start_privately_from_the_deep_link(
        telegram: Harness, sessions: async_sessionmaker[AsyncSession]) -> None:
    fake, chat = telegram.fake, group(GROUP)
    gina, ann, bob = telegram.person(2001, "Gina"), telegram.person(1001, "Ann"), telegram.person(1002, "Bob")
    fake.set_member(GROUP, gina.id, "administrator")

    # Added to the group, the bot posts the deep link that opens a private chat with it.
    await telegram.run(fake.member_update(chat, gina.me, "left", "member"))
    welcome = fake.sent(GROUP)[-1]
    assert url_buttons(welcome) == [LINK]

    # /start in the group answers with the link, instead of onboarding in front of everyone.
    invite = (await ann.say(at("/start"), chat=chat))[-1]
    assert url_buttons(invite) == [LINK] and "private chat" in invite["text"]
    assert invite["reply_to_message"]["from"]["id"] == ann.id

    # Ann presses Start in the private chat the link opened: she onboards there.
    asked = await ann.say(f"/start g{GROUP}")
    assert "What brings you here?" in texts(asked)
    await ann.say("ok")
    await ann.say("ok")
    await ann.say("ok")
    assert "Here's your first one now" in texts(await ann.say("ok"))

    # Mentor commands: a plain member is refused, the chat's admin is not.
    assert "Only this group's mentors can use report" in texts(await bob.say(at("/report"), chat=chat))
    assert "Queued: lesson basics-1" in texts(await gina.say(at("/push next"), chat=chat))
    await telegram.delivery.step()
    lesson = fake.sent(GROUP)[-1]
    assert lesson["text"].startswith(telegram.app.content.default_track.lessons[0].title)
    assert url_buttons(lesson) == [LINK]  # check-ins are private; no answer buttons in the group
    assert not [b for b in buttons(lesson) if "callback_data" in b]

    scheduled = await gina.say(at("/schedule 09:00 Europe/Berlin"), chat=chat)
    assert "Scheduled: a group lesson every day at 09:00 (Europe/Berlin)" in texts(scheduled)
    report = (await gina.say(at("/report"), chat=chat))[-1]
    assert report["photo_bytes"].startswith(b"\x89PNG")
    assert "Members: 2" in report["caption"]  # Ann through the link, Bob in the group; Gina mentors it
    asked_admin = [(c.params["chat_id"], c.params["user_id"]) for c in fake.calls_to("getChatMember")]
    assert asked_admin.count((str(GROUP), str(gina.id))) == 1  # remembered, not asked each time

    # A mentor named in the settings needs no admin rights, and no lookup.
    mia = telegram.person(MENTOR_ID, "Mia")
    assert "Group report" in texts(await mia.say(at("/report"), chat=chat))
    assert (str(GROUP), str(MENTOR_ID)) not in [
        (c.params["chat_id"], c.params["user_id"]) for c in fake.calls_to("getChatMember")]


async def test_in_a_group_the_bot_answers_only_what_is_meant_for_it(telegram: Harness) -> None:
    fake, chat = telegram.fake, group(GROUP)
    bob = telegram.person(1002, "Bob")
    await telegram.run(fake.member_update(chat, bob.me, "left", "member"))
    welcome = fake.sent(GROUP)[-1]
    assert await bob.say("/today@some_other_bot", chat=chat) == []
    assert await bob.say("nice weather for a bake sale", chat=chat) == []
    assert await bob.say("/frobnicate", chat=chat) == []  # maybe another bot's command
    replied = await bob.say("How do I set my time zone?", chat=chat, reply_to=welcome)
    assert "tz" in texts(replied) and replied[-1]["reply_to_message"]["from"]["id"] == bob.id
    mentioned = await bob.say(f"@{BOT_USERNAME} can I pause my lessons for a while?", chat=chat)
    assert "pause" in texts(mentioned).lower()
    assert "progress" in texts(await bob.say("/help", chat=chat))


async def test_group_buttons_belong_to_the_person_who_asked(telegram: Harness) -> None:
    fake, chat = telegram.fake, group(GROUP)
    ann, bob = telegram.person(1001, "Ann"), telegram.person(1002, "Bob")
    tracks = (await bob.say(at("/tracks"), chat=chat))[-1]
    assert await ann.press(tracks, "Replies that start conversations") == []
    assert fake.calls_to("answerCallbackQuery")[-1].params["text"].startswith("These buttons answer")
    assert "reply_markup" in fake.sent(GROUP)[-1]  # still there for Bob
    switched = await bob.press(tracks, "Replies that start conversations")
    assert "Noted: Replies that start conversations" in texts(switched)
    assert "reply_markup" not in fake.messages[(GROUP, tracks["message_id"])]


async def test_a_group_that_becomes_a_supergroup_keeps_its_members_and_schedule(
        telegram: Harness, sessions: async_sessionmaker[AsyncSession]) -> None:
    fake, old, new = telegram.fake, group(-500), group(-100777)
    gina, bob = telegram.person(2001, "Gina"), telegram.person(1002, "Bob")
    for chat_id in (-500, -100777):
        fake.set_member(chat_id, gina.id, "creator")
    await gina.say(at("/schedule 09:00 Europe/Berlin"), chat=old)
    await bob.say(at("/progress"), chat=old)

    # Telegram reports the migration in both chats.
    await telegram.run(fake.new_update(message={
        "message_id": 900, "date": 0, "chat": old, "from": gina.me, "migrate_to_chat_id": -100777}))
    await telegram.run(fake.new_update(message={
        "message_id": 1, "date": 0, "chat": new, "sender_chat": new, "migrate_from_chat_id": -500}))
    moved = await group_row(sessions, -100777)
    assert moved is not None and moved.schedule_time == "09:00"
    assert await group_row(sessions, -500) is None
    report = (await gina.say(at("/report"), chat=new))[-1]
    assert "Members: 1" in report["caption"]  # Bob; Gina, the admin, is its mentor


async def test_a_send_to_a_migrated_group_follows_it_to_the_new_id(
        telegram: Harness, sessions: async_sessionmaker[AsyncSession]) -> None:
    fake, old = telegram.fake, group(-500)
    gina = telegram.person(2001, "Gina")
    fake.set_member(-500, gina.id, "administrator")
    assert "Queued" in texts(await gina.say(at("/push next"), chat=old))
    fake.fail("sendMessage", 400, "Bad Request: group chat was upgraded to a supergroup chat",
              chat_id=-500, parameters={"migrate_to_chat_id": -100777})
    await telegram.delivery.step()
    assert fake.sent(-100777)[-1]["text"].startswith(telegram.app.content.default_track.lessons[0].title)
    moved = await group_row(sessions, -100777)
    assert moved is not None and moved.position == 1  # the same group, its progress kept


async def test_removed_from_a_group_the_bot_stops_sending_there(
        telegram: Harness, sessions: async_sessionmaker[AsyncSession]) -> None:
    fake, chat = telegram.fake, group(GROUP)
    gina = telegram.person(2001, "Gina")
    fake.set_member(GROUP, gina.id, "administrator")
    await gina.say(at("/schedule 09:00 Europe/Berlin"), chat=chat)
    await telegram.run(fake.member_update(chat, gina.me, "member", "kicked"))
    removed = await group_row(sessions, GROUP)
    assert removed is not None and not removed.active
    before = len(fake.sent(GROUP))
    await telegram.advance(timedelta(days=2))
    assert len(fake.sent(GROUP)) == before
    assert not [c for c in fake.calls_to("sendMessage") if c.chat_id == GROUP][before:]


async def test_an_anonymous_admin_may_steer_the_group_without_a_lookup(telegram: Harness) -> None:
    chat = group(GROUP)
    anonymous = telegram.person(1087968824, "Group")  # Telegram's stand-in for anonymous admins
    anonymous.me["is_bot"] = True
    other_bot = telegram.person(4242, "Other")
    other_bot.me["is_bot"] = True
    assert await other_bot.say(at("/push next"), chat=chat) == []  # bots don't steer the coach
    pushed = await anonymous.say(at("/push next"), chat=chat, sender_chat=chat)
    assert "Queued: lesson basics-1" in texts(pushed)
    assert telegram.fake.calls_to("getChatMember") == []


async def test_a_deep_link_to_a_group_someone_is_not_in_only_starts_them_privately(
        telegram: Harness) -> None:
    fake, chat = telegram.fake, group(GROUP)
    gina, eve = telegram.person(2001, "Gina"), telegram.person(1003, "Eve")
    fake.set_member(GROUP, gina.id, "administrator")
    fake.set_member(GROUP, eve.id, "left")
    assert "What brings you here?" in texts(await eve.say(f"/start g{GROUP}"))
    report = (await gina.say(at("/report"), chat=chat))[-1]
    assert "Members: 0" in report["caption"]  # Eve's link did not make her a member; Gina mentors it


async def test_a_group_lesson_refused_because_the_bot_was_kicked_ends_the_groups_lessons(
        telegram: Harness, sessions: async_sessionmaker[AsyncSession]) -> None:
    fake, chat = telegram.fake, group(GROUP)
    gina = telegram.person(2001, "Gina")
    fake.set_member(GROUP, gina.id, "administrator")
    assert "Queued" in texts(await gina.say(at("/push next"), chat=chat))
    fake.fail("sendMessage", 403, "Forbidden: bot was kicked from the group chat", chat_id=GROUP)
    await telegram.delivery.step()
    removed = await group_row(sessions, GROUP)
    assert removed is not None and not removed.active
