"""Telegram's answers, as the errors the delivery core knows how to act on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from coachbot.delivery.ports import ChatMoved, RateLimited, RecipientGone, TransientError

# 400 answers that mean the chat is gone for good, like a 403.
GONE_PHRASES = ("chat not found", "user is deactivated", "bot was kicked", "group chat was deactivated",
                "have no rights to send", "not enough rights to send", "peer_id_invalid",
                "bot was blocked")
# The request never left this machine, so Telegram surely did not take it.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def retry_seconds(error: RetryAfter) -> float:
    """`retry_after` is an int or a timedelta, depending on PTB_TIMEDELTA."""
    value: int | timedelta = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


@contextmanager
def rate_limits_reported() -> Iterator[None]:
    """Inside a throttle's slot: a 429 becomes the `RateLimited` the throttle acts on, so an
    answer that meets Telegram's flood wait holds back every send, as a scheduled one does."""
    try:
        yield
    except RetryAfter as error:
        raise RateLimited(retry_seconds(error), str(error)) from error


def try_later(error: TelegramError) -> bool:
    """Telegram (or a proxy in front of it) answered, and the answer means "not now": a 5xx or
    a flood wait. A request that never got an answer is not this (see `delivery_error`)."""
    if isinstance(error, RetryAfter):
        return True
    return (isinstance(error, NetworkError) and not isinstance(error, TimedOut)
            and not isinstance(error.__cause__, httpx.HTTPError))


def is_gone(error: TelegramError) -> bool:
    if isinstance(error, Forbidden):
        return True
    return isinstance(error, BadRequest) and any(p in error.message.lower() for p in GONE_PHRASES)


def delivery_error(error: TelegramError) -> Exception:
    """The port's error for `error`; anything that may have reached Telegram comes back unchanged."""
    if isinstance(error, RetryAfter):
        return RateLimited(retry_seconds(error), str(error))
    if isinstance(error, ChatMigrated):
        return ChatMoved(str(error.new_chat_id), str(error))
    if is_gone(error):
        return RecipientGone(error.message)
    if isinstance(error, BadRequest):
        return error  # refused as malformed: sending it again would not help
    if isinstance(error, TimedOut):
        return TransientError(str(error)) if isinstance(error.__cause__, NOT_SENT) else error
    if isinstance(error, NetworkError):
        cause = error.__cause__
        if isinstance(cause, NOT_SENT) or not isinstance(cause, httpx.HTTPError):
            return TransientError(error.message)  # refused to connect, or answered with an error
    return error
