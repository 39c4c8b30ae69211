"""Per-platform rate limits, shared by everything that sends through a platform.

The platform-wide limit is an aiolimiter leaky bucket: messages leave evenly spaced at a
little under the published rate (`headroom`; platforms only give approximate figures). It
holds two tokens, so a send that starts late because the event loop was busy is made up by
the next one instead of being lost; even so no one-second window holds more than the limit
(2 + 0.96 x 30 < 31). A chat's (and a group's) limit is a minimum gap between two messages to
it, measured when each leaves: the chat waits first, then takes the platform token and sends
at once, so waiting for one limit never squeezes the other.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field

from aiolimiter import AsyncLimiter

HEADROOM = 0.96
BURST = 2
PRUNE_EVERY = 1000


@dataclass(frozen=True)
class Rate:
    """`count` messages per `per` seconds."""

    count: float
    per: float

    def gap(self, headroom: float) -> float:
        return self.per / (self.count * headroom)


@dataclass(frozen=True)
class PlatformLimits:
    overall: Rate | None = None
    per_chat: Rate | None = None
    per_group: Rate | None = None


# Telegram: ~30 messages/s in all, 1/s in one chat, 20/min in one group. Slack: ~1/s per channel.
PLATFORM_LIMITS: dict[str, PlatformLimits] = {
    "telegram": PlatformLimits(overall=Rate(30, 1), per_chat=Rate(1, 1), per_group=Rate(20, 60)),
    "slack": PlatformLimits(per_chat=Rate(1, 1)),
}


def _platform_bucket(rate: Rate, headroom: float, burst: int) -> AsyncLimiter:
    """A bucket that never lets more than `rate.count` messages into any `rate.per` window.

    A full bucket can release `tokens` at once and then refills, so a window may hold up to
    tokens + count x headroom messages; the extra tokens must fit in what the headroom spares.
    """
    tokens = max(1, min(burst, 1 + int(rate.count * (1 - headroom))))
    return AsyncLimiter(tokens, tokens * rate.gap(headroom))


@dataclass
class _Chat:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    ready_at: float = 0.0


class Throttle:
    """The limits of one platform: take a slot before each message, send inside it."""

    def __init__(self, limits: PlatformLimits, headroom: float = HEADROOM, burst: int = BURST) -> None:
        self.limits = limits
        self._overall = _platform_bucket(limits.overall, headroom, burst) if limits.overall else None
        self._chat_gap = limits.per_chat.gap(headroom) if limits.per_chat else 0.0
        self._group_gap = max(self._chat_gap, limits.per_group.gap(headroom) if limits.per_group else 0.0)
        self._chats: dict[str, _Chat] = {}
        self._uses = 0

    @asynccontextmanager
    async def slot(self, chat_id: str, is_group: bool = False) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        chat = self._chats.setdefault(chat_id, _Chat())
        async with chat.lock:  # one message at a time to a chat, in the order they came
            delay = chat.ready_at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if self._overall is not None:
                await self._overall.acquire()
            chat.ready_at = loop.time() + (self._group_gap if is_group else self._chat_gap)
            yield
        self._uses += 1
        if self._uses % PRUNE_EVERY == 0:
            self._forget_idle(loop.time())

    def _forget_idle(self, now: float) -> None:
        """A chat whose gap has passed and that nobody waits on is as good as new: drop it."""
        idle = [key for key, chat in self._chats.items() if chat.ready_at <= now and not chat.lock.locked()]
        for key in idle:
            del self._chats[key]

    @property
    def tracked_chats(self) -> int:
        return len(self._chats)


class Throttles:
    """Every platform's throttle, built once and shared by the dispatcher and the adapters."""

    def __init__(self, limits: Mapping[str, PlatformLimits] | None = None,
                 headroom: float = HEADROOM, burst: int = BURST) -> None:
        self._limits = dict(PLATFORM_LIMITS if limits is None else limits)
        self._headroom = headroom
        self._burst = burst
        self._throttles: dict[str, Throttle] = {}

    def for_platform(self, platform: str) -> Throttle:
        throttle = self._throttles.get(platform)
        if throttle is None:
            throttle = Throttle(self._limits.get(platform, PlatformLimits()), self._headroom, self._burst)
            self._throttles[platform] = throttle
        return throttle

    def slot(self, platform: str, chat_id: str, is_group: bool = False
             ) -> AbstractAsyncContextManager[None]:
        return self.for_platform(platform).slot(chat_id, is_group)
