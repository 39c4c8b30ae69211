"""Updates without a field Telegram always sends are set aside with one log line.

python-telegram-bot reads an update without checking that a message has a chat, that a
button press says who pressed it, or that ids are numbers; the handlers rely on all of it.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, ChatMemberUpdated, Message, Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

log = logging.getLogger(__name__)


def is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def message_gap(message: Message, where: str = "message") -> str | None:
    chat = message.chat
    if chat is None or not is_id(chat.id) or not isinstance(chat.type, str):
        return f"{where}.chat"
    if not is_id(message.message_id):
        return f"{where}.message_id"
    if message.from_user is None and message.sender_chat is None:
        return f"{where}.from"
    if message.from_user is not None and not is_id(message.from_user.id):
        return f"{where}.from.id"
    if not isinstance(message.text, str | None) or not isinstance(message.caption, str | None):
        return f"{where}.text"
    return None


def callback_gap(query: CallbackQuery) -> str | None:
    if query.from_user is None or not is_id(query.from_user.id):
        return "callback_query.from"
    if not isinstance(query.id, str) or not isinstance(query.data, str | None):
        return "callback_query.id or data"
    message = query.message
    return message_gap(message, "callback_query.message") if isinstance(message, Message) else None


def member_gap(change: ChatMemberUpdated) -> str | None:
    if change.chat is None or not is_id(change.chat.id):
        return "my_chat_member.chat"
    if change.old_chat_member is None or change.new_chat_member is None:
        return "my_chat_member.old_chat_member or new_chat_member"
    return None


def gap(update: Update) -> str | None:
    """The first missing (or malformed) field of the kinds of update the adapter handles."""
    if update.message is not None:
        return message_gap(update.message)
    if update.callback_query is not None:
        return callback_gap(update.callback_query)
    if update.my_chat_member is not None:
        return member_gap(update.my_chat_member)
    return None


async def set_aside_incomplete(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every other handler; stops the update there when it lacks a field."""
    missing = gap(update)
    if missing is not None:
        log.warning("telegram update %s has no usable %s: ignored", update.update_id, missing)
        raise ApplicationHandlerStop
