"""The Telegram adapter: the coach in private chats and groups, on python-telegram-bot.

Importing the package does not import python-telegram-bot (its profile must load without it);
the names below are loaded when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coachbot.platform import lazy_exports

if TYPE_CHECKING:
    from coachbot_telegram.adapter import TelegramAdapter, create_adapter
    from coachbot_telegram.messenger import TelegramMessenger

__all__ = ["TelegramAdapter", "TelegramMessenger", "create_adapter"]
__getattr__ = lazy_exports(__name__, {
    "TelegramAdapter": "adapter",
    "create_adapter": "adapter",
    "TelegramMessenger": "messenger",
})
