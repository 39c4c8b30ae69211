"""Deep links: how a group member opens a private chat with the bot and presses Start."""

from __future__ import annotations

from telegram import Bot
from telegram.helpers import create_deep_linked_url

GROUP_PAYLOAD = "g"
START_LABEL = "Start my lessons"


def group_link(bot: Bot, chat_id: str | int) -> str | None:
    """https://t.me/<bot>?start=g<group id>; None until the bot knows its own name."""
    try:
        username = bot.username
    except RuntimeError:  # not initialised yet
        return None
    return create_deep_linked_url(username, f"{GROUP_PAYLOAD}{chat_id}")


def start_payload(text: str) -> str | None:
    """The payload of '/start <payload>' (a deep link), if any."""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) == 2 and parts[0].split("@")[0] == "/start" else None
