"""The commands Telegram shows in its menu: learners' everywhere, mentors' to group admins."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeAllChatAdministrators, BotCommandScopeDefault
from telegram.error import TelegramError

from coachbot.conversation.commands import COMMANDS, MENTOR_COMMANDS

log = logging.getLogger(__name__)


def describe(usage: str) -> str:
    """'time HH:MM: change your daily delivery time' -> 'Change your daily delivery time'."""
    text = usage.split(": ", 1)[-1].strip()
    return text[:1].upper() + text[1:]


def bot_commands(usages: dict[str, str]) -> list[BotCommand]:
    return [BotCommand(name, describe(usage)) for name, usage in usages.items()]


async def register_commands(bot: Bot) -> None:
    """setMyCommands; a failure only costs the menu, so it is logged, not fatal."""
    learner = bot_commands(COMMANDS)
    try:
        await bot.set_my_commands(learner, scope=BotCommandScopeDefault())
        await bot.set_my_commands(learner + bot_commands(MENTOR_COMMANDS),
                                  scope=BotCommandScopeAllChatAdministrators())
    except TelegramError as error:
        log.warning("telegram: could not register the command menu: %s", error)
