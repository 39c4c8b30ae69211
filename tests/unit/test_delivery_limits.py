"""Per-platform token buckets keep every chat and the whole platform under its limits."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from coachbot.delivery.limits import PLATFORM_LIMITS, PlatformLimits, Rate, Throttle, Throttles
from coachbot.delivery.ports import RateLimited


class StrictPlatform:
    """Answers 429 as soon as a chat, a group or the platform goes over its limit."""

    def __init__(self, limits: PlatformLimits) -> None:
        self.limits = limits
        self.times: list[float] = []
        self.by_chat: dict[str, list[float]] = defaultdict(list)

    def send(self, chat: str, is_group: bool) -> None:
        now = asyncio.get_running_loop().time()
        checks = [(self.limits.overall, self.times), (self.limits.per_chat, self.by_chat[chat])]
        if is_group:
            checks.append((self.limits.per_group, self.by_chat[chat]))
        for rate, seen in checks:
            if rate is not None and sum(now - t < rate.per for t in seen) >= rate.count:
                raise RateLimited(rate.per)
        self.times.append(now)
        self.by_chat[chat].append(now)


async def test_bursts_are_spread_within_every_limit() -> None:
    limits = PlatformLimits(overall=Rate(10, 0.1), per_chat=Rate(1, 0.03), per_group=Rate(2, 0.1))
    throttle, platform = Throttle(limits), StrictPlatform(limits)

    async def send(chat: str, is_group: bool = False) -> None:
        async with throttle.slot(chat, is_group):
            platform.send(chat, is_group)

    jobs = [send(f"c{i % 8}") for i in range(48)] + [send("-500", True) for _ in range(5)]
    await asyncio.gather(*jobs)  # StrictPlatform raised RateLimited if any limit was exceeded
    assert len(platform.times) == 53


async def test_telegram_shaped_limit_holds_in_every_window_with_catch_up_tokens() -> None:
    # Telegram's 30 per window, on a 0.1 s window to keep the test quick: same arithmetic.
    limits = PlatformLimits(overall=Rate(30, 0.1))
    throttle, platform = Throttle(limits), StrictPlatform(limits)

    async def send(chat: str) -> None:
        async with throttle.slot(chat):
            platform.send(chat, False)

    await asyncio.gather(*(send(f"c{i}") for i in range(100)))
    assert len(platform.times) == 100


async def test_one_busy_chat_does_not_hold_up_the_others() -> None:
    throttle = Throttle(PlatformLimits(per_chat=Rate(1, 0.2)))
    order: list[str] = []

    async def send(chat: str) -> None:
        async with throttle.slot(chat):
            order.append(chat)

    await asyncio.gather(*(send("busy") for _ in range(3)), send("other"))
    assert order.index("other") < order.index("busy", 1)


async def test_idle_chats_are_forgotten_so_memory_stays_flat() -> None:
    throttle = Throttle(PlatformLimits(per_chat=Rate(1, 0.001)))
    for i in range(2500):
        async with throttle.slot(f"chat-{i}"):
            pass
        if i % 100 == 0:
            await asyncio.sleep(0.003)
    assert throttle.tracked_chats < 1000


def test_platforms_share_one_throttle_each_and_unknown_ones_are_unlimited() -> None:
    throttles = Throttles()
    assert throttles.for_platform("telegram") is throttles.for_platform("telegram")
    assert throttles.for_platform("telegram").limits == PLATFORM_LIMITS["telegram"]
    assert PLATFORM_LIMITS["telegram"].overall == Rate(30, 1)
    assert PLATFORM_LIMITS["telegram"].per_group == Rate(20, 60)
    assert PLATFORM_LIMITS["slack"].per_chat == Rate(1, 1)
    assert throttles.for_platform("console").limits == PlatformLimits()
