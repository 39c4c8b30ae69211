"""Putting rendered parts into a chat through the Bot API."""

from __future__ import annotations

from telegram import Bot, LinkPreviewOptions, Message, ReplyParameters
from telegram.error import BadRequest

from coachbot_telegram.render import Part

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def chat_ref(chat_id: str | int) -> int | str:
    """Telegram ids are integers; an @username stays as it is."""
    text = str(chat_id)
    return int(text) if text.lstrip("-").isdigit() else text


def is_markup_error(error: BadRequest) -> bool:
    """Telegram could not read the HTML: the plain rendering will do."""
    return "parse entities" in error.message.lower()


class PartlySent(Exception):
    """A long message failed after its first part arrived; sending it again would repeat that part."""


async def send_part(bot: Bot, chat_id: int | str, part: Part, reply_to: int | None = None) -> Message:
    reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
    if part.photo is not None:
        return await bot.send_photo(chat_ref(chat_id), part.photo, caption=part.text or None,
                                    parse_mode=part.parse_mode, reply_markup=part.keyboard,
                                    reply_parameters=reply, filename=part.filename)
    return await bot.send_message(chat_ref(chat_id), part.text, parse_mode=part.parse_mode,
                                  reply_markup=part.keyboard, reply_parameters=reply,
                                  link_preview_options=NO_PREVIEW)
