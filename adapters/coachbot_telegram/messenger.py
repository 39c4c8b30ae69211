"""The delivery port for Telegram: scheduled lessons, reminders, group lessons and digests."""

from __future__ import annotations

from telegram import Bot, Message
from telegram.error import BadRequest, TelegramError

from coachbot.messages import Outgoing
from coachbot_telegram.errors import delivery_error
from coachbot_telegram.links import group_link
from coachbot_telegram.render import Part, render, render_plain
from coachbot_telegram.sending import PartlySent, is_markup_error, send_part

PLATFORM = "telegram"


class TelegramMessenger:
    """Sends one outbox message; the dispatcher around it takes the rate-limit slot.

    Telegram's answers become the port's errors; what they mean for the group or the learner
    (a group that moved to a new id, one that removed the bot) the dispatcher records.
    """

    platform = PLATFORM

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, out: Outgoing) -> str | None:
        try:
            message = await self._deliver(out)
        except TelegramError as error:
            mapped = delivery_error(error)
            if mapped is error:
                raise
            raise mapped from error
        return str(message.message_id) if message else None

    async def _deliver(self, out: Outgoing) -> Message | None:
        link = group_link(self.bot, out.chat_id) if out.is_group else None
        parts = render(out.reply, group=out.is_group, deep_link=link)
        try:
            return await self._send_parts(out.chat_id, parts)
        except BadRequest as error:  # refused before anything arrived: plain text is safe to send
            if not (is_markup_error(error) and parts[0].html):
                raise
            return await self._send_parts(out.chat_id, render_plain(out.reply))

    async def _send_parts(self, chat_id: str, parts: list[Part]) -> Message | None:
        message = None
        for index, part in enumerate(parts):
            try:
                message = await send_part(self.bot, chat_id, part)
            except TelegramError as error:
                if index == 0:
                    raise
                raise PartlySent(f"{index} of {len(parts)} parts arrived, then: {error}") from error
        return message
