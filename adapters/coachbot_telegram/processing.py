"""Updates from different people are handled side by side; one person's, in the order sent;
and each update once, however often Telegram (or anyone with the webhook secret) sends it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from coachbot.store.inbound import InboundLedger
from coachbot.turnorder import TurnOrder

log = logging.getLogger(__name__)


def update_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else None


def drop(work: Awaitable[Any]) -> None:
    """The update's handling will not run: say so to Python, which would warn otherwise."""
    if isinstance(work, Coroutine):
        work.close()


class PerPersonProcessor(BaseUpdateProcessor):
    """A person's button press must not overtake the message they sent just before it."""

    def __init__(self, ledger: InboundLedger | None = None, bot_id: str = "",
                 max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self.ledger = ledger
        self.bot_id = bot_id  # update ids count per bot: two bots may share one database
        self._turns: TurnOrder[int | None] = TurnOrder()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        async with self._turns.turn(update_key(update)):
            await self.once(update, coroutine)

    async def once(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Handle the update unless its id was claimed before (by this process or another)."""
        if self.ledger is None or not isinstance(update, Update):
            await coroutine
            return
        key = f"{self.bot_id}:{update.update_id}"
        try:
            claimed = await self.ledger.claim(key)
        except BaseException:
            drop(coroutine)
            raise
        if not claimed:
            drop(coroutine)
            log.info("telegram update %s delivered again: already handled", update.update_id)
            return
        try:
            await coroutine
        except BaseException:
            await self.ledger.release(key)
            raise
        await self.ledger.done(key)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
