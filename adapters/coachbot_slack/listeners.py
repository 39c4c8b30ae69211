"""Bolt listeners: each reads the payload, acknowledges, and hands the work to the desk.

Nothing here waits on the database or the Web API, so Slack gets its answer at once.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from coachbot_slack.background import Background
from coachbot_slack.blocks import ACTION_PREFIX, OPEN_DM, picked_label, unescape
from coachbot_slack.desk import Desk, Said
from coachbot_slack.ledger import event_id_of
from coachbot_slack.replies import Pressed

Payload = dict[str, Any]
COMMAND = "/coach"
PERSON_SUBTYPES = (None, "file_share", "thread_broadcast")
ANY_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


def clean_text(text: str, bot_user_id: str | None = None) -> str:
    """Slack's markup as typed: the app's own @-mention removed, entities decoded."""
    mention = re.compile(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>") if bot_user_id else ANY_MENTION
    return unescape(mention.sub("", text)).strip()


def is_private(channel_id: str, channel_name: str = "") -> bool:
    return channel_id.startswith("D") or channel_name == "directmessage" or channel_name.startswith("mpdm-")


def from_person_in_dm(event: Payload) -> bool:
    return (event.get("channel_type") == "im" and bool(event.get("user"))
            and not event.get("bot_id") and event.get("subtype") in PERSON_SUBTYPES)


def pressed_from(body: Payload, action: Payload) -> tuple[Pressed, str | None]:
    """The pressed message, and the channel it is in (None for the Home tab)."""
    container = body.get("container") or {}
    if container.get("type") == "view":
        return Pressed(in_home=True), None
    channel = str((body.get("channel") or {}).get("id") or container.get("channel_id") or "")
    message = body.get("message") or {}
    blocks = list(message.get("blocks") or [])
    label = picked_label(blocks, str(action.get("action_id", ""))) or str(
        (action.get("text") or {}).get("text", ""))
    return Pressed(label=label, blocks=blocks, text=str(message.get("text", "")), channel=channel or None,
                   ts=message.get("ts") or container.get("message_ts"),
                   response_url=body.get("response_url"),
                   ephemeral=bool(container.get("is_ephemeral"))), channel or None


class Listeners:
    def __init__(self, desk: Desk, background: Background) -> None:
        self.desk = desk
        self.background = background

    def event_handlers(self) -> dict[str, Callable[..., Awaitable[None]]]:
        """By event type; manifest.yaml subscribes to each (message as message.im)."""
        return {"message": self.on_message, "app_mention": self.on_mention,
                "app_home_opened": self.on_home_opened, "member_joined_channel": self.on_member_joined,
                "channel_left": self.on_left, "group_left": self.on_left}

    def register(self, bolt: AsyncApp) -> None:
        bolt.command(COMMAND)(self.on_command)
        bolt.action(re.compile(rf"^{ACTION_PREFIX}"))(self.on_choice)
        bolt.action(OPEN_DM)(self.on_open_dm)
        for event, handler in self.event_handlers().items():
            bolt.event(event)(handler)

    def turn(self, said: Said, name: str) -> None:
        self.background.spawn(self.desk.turn(said), name)

    async def on_command(self, ack: AsyncAck, command: Payload) -> None:
        await ack()
        channel = str(command.get("channel_id", ""))
        private = is_private(channel, str(command.get("channel_name", "")))
        self.turn(Said(str(command["user_id"]), text=str(command.get("text", "")).strip() or "help",
                       channel=None if private else channel, is_group=not private,
                       response_url=None if private else command.get("response_url")),
                  "slack /coach")

    async def on_choice(self, ack: AsyncAck, body: Payload, action: Payload) -> None:
        await ack()
        pressed, channel = pressed_from(body, action)
        group = channel is not None and not is_private(channel)
        self.turn(Said(str(body["user"]["id"]), action=str(action.get("value", "")), channel=channel,
                       is_group=group, pressed=pressed,
                       response_url=pressed.response_url if pressed.ephemeral else None),
                  "slack button")

    async def on_open_dm(self, ack: AsyncAck, body: Payload, action: Payload) -> None:
        await ack()
        pressed, _ = pressed_from(body, action)
        self.background.spawn(self.desk.open_dm(str(body["user"]["id"]), pressed), "slack open DM")

    async def on_message(self, event: Payload, body: Payload) -> None:
        if from_person_in_dm(event):
            self.turn(Said(str(event["user"]), text=clean_text(str(event.get("text", ""))),
                           channel=str(event["channel"]), event_id=event_id_of(body)), "slack DM")

    async def on_mention(self, event: Payload, body: Payload, context: AsyncBoltContext) -> None:
        channel = str(event.get("channel", ""))
        if not event.get("user") or event.get("bot_id"):
            return
        self.turn(Said(str(event["user"]), text=clean_text(str(event.get("text", "")), context.bot_user_id),
                       channel=channel, is_group=not is_private(channel),
                       thread_ts=event.get("thread_ts") or event.get("ts"), event_id=event_id_of(body)),
                  "slack mention")

    async def on_home_opened(self, event: Payload) -> None:
        if event.get("tab", "home") == "home" and event.get("user"):
            self.background.spawn(self.desk.refresh_home(str(event["user"]), force=True), "slack home")

    async def on_member_joined(self, event: Payload, body: Payload, context: AsyncBoltContext) -> None:
        user = str(event.get("user", ""))
        self.background.spawn(self.desk.member_joined(
            str(event.get("channel", "")), user, user == context.bot_user_id, event_id_of(body)),
            "slack member joined")

    async def on_left(self, event: Payload) -> None:
        if event.get("channel"):
            self.background.spawn(self.desk.left_channel(str(event["channel"])), "slack channel left")
