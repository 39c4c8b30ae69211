"""Is this person an administrator of that group? Asked of Telegram, remembered briefly."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram import Bot
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

log = logging.getLogger(__name__)
TTL_SECONDS = 120.0
MAX_ENTRIES = 10_000
ADMIN_STATUSES = {ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}


class AdminCache:
    def __init__(self, bot: Bot, ttl: float = TTL_SECONDS,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.bot = bot
        self.ttl = ttl
        self.now = now
        self._known: dict[tuple[str, str], tuple[float, bool]] = {}

    async def is_admin(self, chat_id: str, user_id: str) -> bool:
        key = (chat_id, user_id)
        found = self._known.get(key)
        if found is not None and found[0] > self.now():
            return found[1]
        try:
            member = await self.bot.get_chat_member(int(chat_id), int(user_id))
        except TelegramError as error:  # not known there, or Telegram is unwell: not an admin now
            log.warning("getChatMember failed for %s in %s: %s", user_id, chat_id, error)
            return False
        admin = member.status in ADMIN_STATUSES
        if len(self._known) >= MAX_ENTRIES:
            self._known.clear()
        self._known[key] = (self.now() + self.ttl, admin)
        return admin

    def forget_chat(self, chat_id: str) -> None:
        for key in [key for key in self._known if key[0] == chat_id]:
            del self._known[key]
