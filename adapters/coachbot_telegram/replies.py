"""Answering a person at once, within the same rate limits as scheduled sends."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from coachbot.delivery.limits import Throttles
from coachbot.delivery.platform_facts import PlatformFacts
from coachbot.delivery.ports import RateLimited
from coachbot.messages import Reply
from coachbot_telegram.errors import is_gone, rate_limits_reported
from coachbot_telegram.links import START_LABEL, group_link
from coachbot_telegram.messenger import PLATFORM
from coachbot_telegram.render import Part, render, render_plain, url_keyboard
from coachbot_telegram.sending import is_markup_error, send_part

log = logging.getLogger(__name__)
# A person is waiting for this answer: wait out a short flood limit once, drop it past this.
MAX_RETRY_WAIT = 30.0
ONLY_IN_PRIVATE = ("That answer is for you alone, and you have no private chat with me yet. Press "
                   "the button to open one, then ask again there.")


@dataclass
class Target:
    """Where the answer goes; a group that moves while we answer takes it along."""

    chat_id: str
    group: bool
    reply_to: int | None = None
    person: str | None = None  # who wrote: where a private answer goes


class Replier:
    def __init__(self, bot: Bot, throttles: Throttles, events: PlatformFacts) -> None:
        self.bot = bot
        self.throttles = throttles
        self.events = events

    async def answer(self, target: Target, replies: list[Reply]) -> None:
        """Send the core's replies in order; stop at the first Telegram refuses."""
        try:
            for reply in replies:
                if reply.private and target.group:
                    await self._reply_privately(target, reply)
                else:
                    await self._reply(target, reply)
        except (TelegramError, RateLimited) as error:
            await self._failed(target, error)

    async def post(self, target: Target, part: Part) -> None:
        """Send a message of the adapter's own (an invitation, a welcome)."""
        try:
            await self._send(target, part)
        except (TelegramError, RateLimited) as error:
            await self._failed(target, error)

    async def _failed(self, target: Target, error: TelegramError | RateLimited) -> None:
        if isinstance(error, TelegramError) and is_gone(error):
            await self._gone(target)
        log.warning("could not answer in chat %s: %s", target.chat_id, error)

    async def _reply_privately(self, target: Target, reply: Reply) -> None:
        """In the person's private chat with the bot; a reply in the group when they have none.

        Telegram lets a bot write to someone only after they pressed Start; a refusal names
        nothing but the command, so the group may see it.
        """
        if target.person is not None:
            try:
                await self._reply(Target(target.person, False), reply)
                return
            except (Forbidden, BadRequest) as error:
                log.info("telegram: no private chat with %s (%s): answering in the group",
                         target.person, error)
        if reply.personal:  # never in front of the group: only the way to a private chat
            link = group_link(self.bot, target.chat_id)
            await self._send(target, Part(ONLY_IN_PRIVATE, keyboard=url_keyboard(START_LABEL, link)
                                          if link else None))
            return
        await self._reply(target, reply)

    async def _reply(self, target: Target, reply: Reply) -> None:
        # An answer to one person keeps its check-in buttons even in a group: they are theirs.
        parts = render(reply)
        if not parts:  # nothing to show
            return
        try:
            await self._send(target, parts[0])
        except BadRequest as error:
            if not (is_markup_error(error) and parts[0].html):
                raise
            parts = render_plain(reply)
            await self._send(target, parts[0])
        for part in parts[1:]:
            await self._send(target, part)

    async def _send(self, target: Target, part: Part) -> None:
        for attempt in range(2):
            try:
                async with self.throttles.slot(PLATFORM, target.chat_id, target.group):
                    with rate_limits_reported():
                        await send_part(self.bot, target.chat_id, part, target.reply_to)
                return
            except RateLimited as limited:
                if attempt or limited.retry_after > MAX_RETRY_WAIT:
                    raise
                await asyncio.sleep(limited.retry_after)
            except ChatMigrated as moved:
                if attempt:
                    raise
                new_chat = str(moved.new_chat_id)
                await self.events.group_moved(PLATFORM, target.chat_id, new_chat)
                target.chat_id, target.reply_to = new_chat, None

    async def _gone(self, target: Target) -> None:
        if target.group:
            await self.events.left_group(PLATFORM, target.chat_id)
        else:
            await self.events.reachable(PLATFORM, target.chat_id, False)
