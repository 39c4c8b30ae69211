"""Channels: mentors push, schedule and report (with the chart as an image); members find the DM."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.content import Content
from coachbot.delivery.service import DeliveryService
from coachbot.store.models import Group
from tests.adapters.slack.conftest import MENTOR
from tests.adapters.slack.fake_slack import BOT_USER, TEAM, Call, FakeSlack
from tests.adapters.slack.kit import Workspace, buttons, dm_of, texts

CHANNEL = "C0MENTORS"


def answered(fake: FakeSlack, hook: str) -> list[Call]:
    """What the app said through a response_url: seen only by the person who asked."""
    return [call for call in fake.responses if call.method == hook]


async def in_channel(workspace: Workspace, user: str, text: str, hook: str) -> str:
    assert await workspace.command(user, text, channel=CHANNEL, channel_name="mentors", hook=hook) == 200
    reply = answered(workspace.fake, hook)[-1].args
    assert reply["response_type"] == "ephemeral"
    return str(reply["text"])


def uploads(fake: FakeSlack) -> list[str]:
    return [c.method for c in fake.calls
            if c.method in ("files.getUploadURLExternal", "upload", "files.completeUploadExternal")]


async def test_a_mentor_runs_the_channel(workspace: Workspace, fake: FakeSlack,
                                         delivery: DeliveryService, content: Content) -> None:
    reply = await in_channel(workspace, "UGINA", "schedule 09:00 Europe/London track replies", "gina")
    assert "Scheduled: a group lesson every day at 09:00 (Europe/London)" in reply
    assert "Queued: lesson replies-1" in await in_channel(workspace, "UGINA", "push next", "gina")
    assert fake.posts(CHANNEL) == []  # confirmations go to the mentor alone

    await delivery.step()  # the scheduler sends the pushed lesson through the Slack messenger
    lesson = fake.posts(CHANNEL)[-1]
    replies = content.track("replies")
    assert replies is not None
    assert f"{replies.title} · lesson 1 of {len(replies.lessons)}" in texts(lesson.args["blocks"])
    # check-ins stay private: the channel's lesson points members to their DM instead
    assert "message the coach privately" in texts(lesson.args["blocks"])
    assert [b["action_id"] for b in buttons(lesson.args["blocks"])] == ["open_dm"]

    mention = {"type": "app_mention", "user": MENTOR, "channel": CHANNEL, "team": TEAM,
               "text": f"<@{BOT_USER}> report", "ts": "1700000123.000200"}
    assert await workspace.event(mention) == 200
    assert uploads(fake) == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
    done = fake.called("files.completeUploadExternal")[-1].args
    assert done["channel_id"] == CHANNEL and done["thread_ts"] == "1700000123.000200"
    assert "Group report" in done["initial_comment"]
    file_id = done["files"][0]["id"]
    chart = Image.open(io.BytesIO(fake.uploads[file_id]))
    assert chart.format == "PNG" and chart.width > 200

    # As a slash command the chart goes into the channel itself, for everyone to see.
    assert await workspace.command(MENTOR, "report", channel=CHANNEL, channel_name="mentors") == 200
    assert len(fake.called("files.completeUploadExternal")) == 2
    assert fake.called("files.completeUploadExternal")[-1].args.get("thread_ts") in (None, "")


@pytest.mark.parametrize("user", ["UGINA", "UOWEN", MENTOR])
async def test_admins_owners_and_configured_mentors_may_steer(workspace: Workspace, fake: FakeSlack,
                                                            user: str) -> None:
    fake.add_user("UOWEN", "Owen", owner=True)
    assert "Scheduled:" in await in_channel(workspace, user, "schedule 08:30", "m")


async def test_members_are_refused_politely_and_privately(workspace: Workspace, fake: FakeSlack) -> None:
    for command in ("report", "push next", "schedule 09:00", "digest monday 09:00"):
        reply = await in_channel(workspace, "UBEN", command, "ben")
        assert f"Only this group's mentors can use {command.split()[0]}" in reply
    assert fake.posts(CHANNEL) == [] and fake.called("files.completeUploadExternal") == []


async def test_members_open_a_dm_with_the_coach_from_a_button(workspace: Workspace,
                                                              fake: FakeSlack) -> None:
    joined = {"type": "member_joined_channel", "channel": CHANNEL, "channel_type": "C", "team": TEAM}
    await workspace.event({**joined, "user": BOT_USER})
    intro = fake.posts(CHANNEL)[-1]
    assert "/coach push next" in intro.args["text"]
    await workspace.press("UBEN", intro, "open")
    assert "What brings you here?" in fake.posts(dm_of("UBEN"))[-1].args["text"]
    assert fake.called("chat.update") == []  # the channel's message stays for everyone

    await workspace.event({**joined, "user": "UANN"})
    welcome = fake.called("chat.postEphemeral")[-1]
    assert welcome.args["user"] == "UANN" and welcome.args["channel"] == CHANNEL
    await workspace.press("UANN", welcome, "open", hook="ann")
    assert "What brings you here?" in fake.posts(dm_of("UANN"))[-1].args["text"]
    swapped = answered(fake, "ann")[-1].args
    assert swapped["replace_original"] is True and "direct message" in swapped["text"]


async def test_a_chart_for_a_channel_the_app_is_not_in_asks_to_be_invited(
        workspace: Workspace, fake: FakeSlack) -> None:
    fake.answer_error("files.completeUploadExternal", "not_in_channel")
    reply = await in_channel(workspace, "UGINA", "report", "gina")
    assert "invite me first" in reply


async def test_removing_the_app_from_a_channel_ends_its_group_lessons(
        workspace: Workspace, sessions: async_sessionmaker[AsyncSession]) -> None:
    await in_channel(workspace, "UGINA", "schedule 09:00", "gina")
    await workspace.event({"type": "channel_left", "channel": CHANNEL, "actor_id": "UGINA"})
    async with sessions() as session:
        group = await session.scalar(select(Group).where(Group.chat_id == CHANNEL))
    assert group is not None and group.active is False
