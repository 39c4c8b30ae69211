"""Reading the updates Telegram sends, and refusing what cannot be read.

A body is refused with one log line that names the update's id and kind, never its content:
it is someone's message.
"""

from __future__ import annotations

import json
import logging

import telegram
from telegram import Bot, Update

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


def parsed(body: dict[str, object], bot: Bot) -> Update | None:
    try:
        return Update.de_json(body, bot)
    except Exception:  # any way a body fails to read: this version cannot handle it
        log.warning("telegram update %s (%s): python-telegram-bot %s cannot read it; refused",
                    body.get("update_id"), kind_of(body), telegram.__version__)
        return None
