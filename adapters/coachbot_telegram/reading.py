"""Reading the updates Telegram sends, and refusing what cannot be read.

An update is refused with one log line that names its id and kind, never its content: it is
someone's message. On the webhook that is a 400. When polling, python-telegram-bot would
fail on the whole batch, log all of it (text included) and fetch the same batch again,
forever; so getUpdates answers are read here first, and an update that cannot be read is
passed on empty: nothing handles it, and polling moves past it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import telegram
from telegram import Bot, Update
from telegram.request import BaseRequest, HTTPXRequest

from coachbot_telegram.complete import is_id

log = logging.getLogger(__name__)
KINDS = frozenset(Update.ALL_TYPES)


def kind_of(body: dict[str, object]) -> str:
    return next((key for key in body if key in KINDS), "unknown kind")


def read_update(raw: bytes, bot: Bot) -> Update | None:
    """A webhook body as an update; None (logged) when it is not one."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested past Python's stack
        log.warning("telegram webhook: refused a body that is not JSON (%d bytes)", len(raw))
        return None
    if not isinstance(body, dict) or not is_id(body.get("update_id")):
        log.warning("telegram webhook: refused a body that is not an update (no update_id)")
        return None
    return parsed(body, bot)


def parsed(body: dict[str, object], bot: Bot | None) -> Update | None:
    try:
        return Update.de_json(body, bot)
    except Exception:  # any way a body fails to read: this version cannot handle it
        log.warning("telegram update %s (%s): python-telegram-bot %s cannot read it; refused",
                    body.get("update_id"), kind_of(body), telegram.__version__)
        return None


def readable_batch(payload: bytes) -> bytes:
    """A getUpdates answer with every update this version can read (the others left empty)."""
    try:
        answer = json.loads(payload)
    except (ValueError, RecursionError):
        return payload  # python-telegram-bot reports a broken answer itself
    updates = answer.get("result") if isinstance(answer, dict) else None
    if not isinstance(updates, list):
        return payload
    kept = [update if not isinstance(update, dict) or parsed(update, None) is not None
            else {"update_id": update.get("update_id")} for update in updates]
    return payload if kept == updates else json.dumps({**answer, "result": kept}).encode()


class ReadableUpdates(BaseRequest):
    """The request python-telegram-bot polls with, passing on only updates it can read."""

    def __init__(self, inner: BaseRequest | None = None) -> None:
        self.inner = inner or HTTPXRequest(connection_pool_size=1)  # as the builder's default

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        code, payload = await self.inner.do_request(url, method, *args, **kwargs)
        if code == 200 and url.endswith("/getUpdates"):
            payload = readable_batch(payload)
        return code, payload
