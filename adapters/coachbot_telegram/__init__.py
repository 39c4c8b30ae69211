"""The Telegram adapter: the coach in private chats and groups, on python-telegram-bot."""

from coachbot_telegram.adapter import TelegramAdapter, create_adapter
from coachbot_telegram.messenger import TelegramMessenger

__all__ = ["TelegramAdapter", "TelegramMessenger", "create_adapter"]
