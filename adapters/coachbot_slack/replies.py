"""Where a turn's replies go in Slack, and how a pressed button's message is updated."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from slack_sdk.errors import SlackApiError

from coachbot.delivery.limits import Throttles
from coachbot.delivery.ports import TransientError
from coachbot.messages import Reply
from coachbot_slack.blocks import Block, message_text, pressed_blocks, reply_blocks
from coachbot_slack.errors import GONE, slack_error
from coachbot_slack.messenger import PLATFORM, SlackMessenger

log = logging.getLogger(__name__)
INVITE_HINT = ("I couldn't post in this channel: invite me first (type /invite and pick the "
               "coach), then try again.")


@dataclass(frozen=True)
class Pressed:
    """The message (or Home tab) whose button was pressed."""

    label: str = ""
    blocks: list[Block] = field(default_factory=list)
    text: str = ""
    channel: str | None = None
    ts: str | None = None
    response_url: str | None = None
    ephemeral: bool = False
    in_home: bool = False


@dataclass(frozen=True)
class Where:
    channel: str
    user_id: str  # the person who wrote or pressed
    is_group: bool = False
    thread_ts: str | None = None
    response_url: str | None = None  # set for a slash command in a channel: answers only its sender
    pressed: Pressed | None = None


class ReplySender:
    """Every call here takes the platform's slot first, sharing the limits with scheduled sends."""

    def __init__(self, messenger: SlackMessenger, throttles: Throttles) -> None:
        self.messenger = messenger
        self.throttles = throttles

    async def deliver(self, where: Where, replies: list[Reply]) -> None:
        rest = list(replies)
        # A press the coach did not take (a stale button) leaves its message as it was.
        if where.pressed is not None and not any(r.rejected_action for r in rest):
            first = rest[0] if rest and rest[0].edit_previous and rest[0].image is None else None
            if first is not None:
                rest.pop(0)
            if not await self.mark_pressed(where, where.pressed, first) and first is not None:
                rest.insert(0, first)
        for reply in rest:
            await self.show(where, reply)

    async def show(self, where: Where, reply: Reply) -> None:
        if (where.response_url or (reply.private and where.is_group)) and reply.image is None:
            await self.answer_privately(where, reply)
            return
        try:
            async with self.throttles.slot(PLATFORM, where.channel, where.is_group):
                await self.messenger.post(where.channel, reply, where.thread_ts)
        except SlackApiError as error:
            if not (where.response_url and slack_error(error) in GONE):
                raise
            await self.answer_privately(where, Reply(INVITE_HINT))

    async def answer_privately(self, where: Where, reply: Reply, replace_original: bool = False) -> None:
        """Seen only by the person: through the response_url while it works, else the Web API."""
        if where.response_url:
            try:
                async with self.throttles.slot(PLATFORM, where.channel, where.is_group):
                    await self.messenger.respond(where.response_url, message_text(reply), reply_blocks(reply),
                                                 replace_original=replace_original)
                return
            except TransientError as error:  # expired, used up, or unreachable
                log.warning("Slack response_url failed (%s): answering through the Web API", error)
        async with self.throttles.slot(PLATFORM, where.channel, where.is_group):
            if not where.is_group:
                await self.messenger.post(where.channel, reply, where.thread_ts)
                return
            try:
                await self.messenger.ephemeral(where.channel, where.user_id, reply, where.thread_ts)
            except SlackApiError as error:
                if slack_error(error) not in GONE:
                    raise
                log.warning("could not answer %s privately in %s: %s", where.user_id, where.channel,
                            slack_error(error))

    async def mark_pressed(self, where: Where, pressed: Pressed, reply: Reply | None) -> bool:
        """Show the choice on the message that carried it, without its buttons.

        False when that message could not be changed (the Home tab, an old message): the
        answer then goes out as a message of its own.
        """
        editable = (pressed.ephemeral and pressed.response_url) or (pressed.channel and pressed.ts)
        if pressed.in_home or not editable:
            return False
        blocks = pressed_blocks(pressed.blocks, pressed.label, reply)
        text = "\n".join(part for part in (pressed.text, reply.text if reply else "") if part)
        async with self.throttles.slot(PLATFORM, where.channel, where.is_group):
            try:
                if pressed.ephemeral and pressed.response_url:
                    await self.messenger.respond(pressed.response_url, text, blocks, replace_original=True)
                elif pressed.channel and pressed.ts:
                    await self.messenger.update(pressed.channel, pressed.ts, text, blocks)
            except (SlackApiError, TransientError) as error:
                log.warning("could not update the pressed message: %s", error)
                return False
        return True
