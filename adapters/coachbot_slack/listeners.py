"""Bolt listeners: each reads the payload, acknowledges, and hands the work to SlackTurns.

Nothing here waits on the database or the Web API, so Slack gets its answer at once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from coachbot_slack.background import Background
from coachbot_slack.blocks import ACTION_PREFIX, OPEN_DM, picked_label, unescape
from coachbot_slack.redelivery import delivery_key
from coachbot_slack.replies import Pressed
from coachbot_slack.turns import Said, SlackTurns

log = logging.getLogger(__name__)
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


def field(payload: object, key: str) -> str:
    """A text field of a payload; empty when missing or not text (nothing here trusts the shape)."""
    value = payload.get(key) if isinstance(payload, dict) else None
    return value if isinstance(value, str) else ""


def part(payload: object, key: str) -> Payload:
    value = payload.get(key) if isinstance(payload, dict) else None
    return value if isinstance(value, dict) else {}


def from_person_in_dm(event: Payload) -> bool:
    return (event.get("channel_type") == "im" and bool(field(event, "user")) and bool(field(event, "channel"))
            and not event.get("bot_id") and event.get("subtype") in PERSON_SUBTYPES)


def pressed_from(body: Payload, action: Payload) -> tuple[Pressed, str | None]:
    """The pressed message, and the channel it is in (None for the Home tab)."""
    container = part(body, "container")
    if container.get("type") == "view":
        return Pressed(in_home=True), None
    channel = field(part(body, "channel"), "id") or field(container, "channel_id")
    message = part(body, "message")
    raw_blocks = message.get("blocks")
    blocks = [b for b in raw_blocks if isinstance(b, dict)] if isinstance(raw_blocks, list) else []
    label = picked_label(blocks, field(action, "action_id")) or field(part(action, "text"), "text")
    return Pressed(label=label, blocks=blocks, text=field(message, "text"), channel=channel or None,
                   ts=field(message, "ts") or field(container, "message_ts") or None,
                   response_url=field(body, "response_url") or None,
                   ephemeral=container.get("is_ephemeral") is True), channel or None


def ignored(kind: str, missing: str) -> None:
    """A payload without a field Slack always sends: nobody to answer, so nothing to do."""
    log.warning("Slack %s without %s: ignored", kind, missing)


class Listeners:
    def __init__(self, turns: SlackTurns, background: Background) -> None:
        self.turns = turns
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
        self.background.spawn(self.turns.turn(said), name)

    async def on_command(self, ack: AsyncAck, command: Payload, body: Payload) -> None:
        await ack()
        user = field(command, "user_id")
        if not user:
            return ignored("slash command", "user_id")
        channel = field(command, "channel_id")
        private = not channel or is_private(channel, field(command, "channel_name"))
        self.turn(Said(user, text=field(command, "text").strip() or "help",
                       channel=None if private else channel, is_group=not private,
                       response_url=None if private else field(command, "response_url") or None,
                       key=delivery_key(body)),
                  "slack /coach")

    async def on_choice(self, ack: AsyncAck, body: Payload, action: Payload) -> None:
        await ack()
        user = field(part(body, "user"), "id")
        if not user:
            return ignored("button press", "user")
        pressed, channel = pressed_from(body, action)
        group = channel is not None and not is_private(channel)
        self.turn(Said(user, action=field(action, "value"), channel=channel, is_group=group,
                       pressed=pressed, response_url=pressed.response_url if pressed.ephemeral else None,
                       key=delivery_key(body)),
                  "slack button")

    async def on_open_dm(self, ack: AsyncAck, body: Payload, action: Payload) -> None:
        await ack()
        user = field(part(body, "user"), "id")
        if not user:
            return ignored("button press", "user")
        pressed, _ = pressed_from(body, action)
        self.background.spawn(self.turns.open_dm(user, pressed, delivery_key(body)), "slack open DM")

    async def on_message(self, event: Payload, body: Payload) -> None:
        if from_person_in_dm(event):
            self.turn(Said(field(event, "user"), text=clean_text(field(event, "text")),
                           channel=field(event, "channel"), key=delivery_key(body)), "slack DM")

    async def on_mention(self, event: Payload, body: Payload, context: AsyncBoltContext) -> None:
        user, channel = field(event, "user"), field(event, "channel")
        if not user or event.get("bot_id"):
            return
        if not channel:
            return ignored("app_mention", "channel")
        self.turn(Said(user, text=clean_text(field(event, "text"), context.bot_user_id),
                       channel=channel, is_group=not is_private(channel),
                       thread_ts=field(event, "thread_ts") or field(event, "ts") or None,
                       key=delivery_key(body)),
                  "slack mention")

    async def on_home_opened(self, event: Payload) -> None:
        if event.get("tab", "home") == "home" and field(event, "user"):
            self.background.spawn(self.turns.refresh_home(field(event, "user"), force=True), "slack home")

    async def on_member_joined(self, event: Payload, body: Payload, context: AsyncBoltContext) -> None:
        user, channel = field(event, "user"), field(event, "channel")
        if not user or not channel:
            return ignored("member_joined_channel", "user or channel")
        self.background.spawn(self.turns.member_joined(
            channel, user, user == context.bot_user_id, delivery_key(body)), "slack member joined")

    async def on_left(self, event: Payload) -> None:
        if field(event, "channel"):
            self.background.spawn(self.turns.left_channel(field(event, "channel")), "slack channel left")
