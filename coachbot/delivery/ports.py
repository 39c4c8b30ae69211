"""The messenger port each platform adapter implements, and the errors it may raise."""

from __future__ import annotations

from typing import Protocol

from coachbot.messages import Outgoing


class Messenger(Protocol):
    """Sends one message to a chat on one platform."""

    platform: str

    async def send(self, out: Outgoing) -> str | None:
        """Send `out`; return the platform's message id, if it has one.

        Raise one of the errors below for answers the platform gives. Anything else (a timeout
        after the request left, say) counts as "may have arrived" and is never sent again.
        """
        ...


class DeliveryError(Exception):
    """An answer from the platform that the dispatcher knows how to act on."""


class RateLimited(DeliveryError):
    """Too many messages: wait `retry_after` seconds before sending to that chat again."""

    def __init__(self, retry_after: float, detail: str = "") -> None:
        super().__init__(detail or f"rate limited; retry after {retry_after:g}s")
        self.retry_after = max(0.0, retry_after)


class RecipientGone(DeliveryError):
    """The recipient blocked the bot, removed it, or no longer exists; do not retry."""


class ChatMoved(DeliveryError):
    """The chat has a new id (a Telegram group became a supergroup); resend there."""

    def __init__(self, new_chat_id: str, detail: str = "") -> None:
        super().__init__(detail or f"chat moved to {new_chat_id}")
        self.new_chat_id = new_chat_id


class TransientError(DeliveryError):
    """The platform surely did not take the message (a 5xx, a refused connection): try later."""
