"""Rate budgets keep every chat and the whole platform under its limits, in one process or
shared by several through Redis."""

from __future__ import annotations

import asyncio
import os
import random
import secrets
from collections import defaultdict
from collections.abc import AsyncIterator

import pytest

from coachbot.bootstrap import build_throttles
from coachbot.delivery.limits import (
    Budget,
    LocalBudget,
    PlatformLimits,
    Rate,
    Throttle,
)
from coachbot.delivery.ports import RateLimited
from coachbot.delivery.shared import RedisBudget, connect
from coachbot.settings import Settings

REDIS_URL = os.environ.get("COACHBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


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


@pytest.fixture
async def redis_budgets() -> AsyncIterator[list[RedisBudget]]:
    """Two workers' budgets on the shared Redis, under a prefix of this test's own."""
    prefix = f"coachbot-test-{secrets.token_hex(6)}"
    budgets = [RedisBudget(connect(REDIS_URL), prefix) for _ in range(2)]
    yield budgets
    keys = [key async for key in budgets[0].client.scan_iter(match=f"{prefix}:*")]
    if keys:
        await budgets[0].client.delete(*keys)
    for budget in budgets:
        await budget.close()


async def send_through(throttle: Throttle, platform: StrictPlatform, chat: str,
                       is_group: bool = False) -> None:
    async with throttle.slot(chat, is_group):
        platform.send(chat, is_group)


async def test_bursts_are_spread_within_every_limit() -> None:
    # Windows shorter than the platforms' 1 s keep the test quick; they leave less room for a
    # busy machine's scheduling delays, so not much shorter.
    limits = PlatformLimits(overall=Rate(10, 0.5), per_chat=Rate(1, 0.15), per_group=Rate(2, 0.5))
    throttle, platform = Throttle("p", limits, LocalBudget()), StrictPlatform(limits)
    jobs = [send_through(throttle, platform, f"c{i % 8}") for i in range(48)]
    jobs += [send_through(throttle, platform, "-500", True) for _ in range(5)]
    await asyncio.gather(*jobs)  # StrictPlatform raised RateLimited if any limit was exceeded
    assert len(platform.times) == 53


async def test_no_window_ever_holds_more_than_the_limit() -> None:
    # Telegram's 30 per window, on a 0.5 s window to keep the test quick: same arithmetic.
    limits = PlatformLimits(overall=Rate(30, 0.5))
    throttle, platform = Throttle("p", limits, LocalBudget()), StrictPlatform(limits)
    await asyncio.gather(*(send_through(throttle, platform, f"c{i}") for i in range(150)))
    times = sorted(platform.times)
    busiest = max(sum(1 for t in times if start <= t < start + 0.5) for start in times)
    assert len(times) == 150 and busiest <= 30


async def send_late(throttle: Throttle, platform: StrictPlatform, chat: str, delays: random.Random,
                    is_group: bool = False) -> None:
    """A send on a busy machine: held up on its way to the platform, and again on the way back."""
    async with throttle.slot(chat, is_group):
        await asyncio.sleep(delays.choice((0.0, 0.0, 0.01, 0.05, 0.2)))
        platform.send(chat, is_group)
        await asyncio.sleep(delays.choice((0.0, 0.01, 0.1)))


@pytest.mark.parametrize("shared", [False, True], ids=["one process", "two workers on Redis"])
async def test_senders_held_up_on_their_way_never_push_a_window_over_the_limit(
        shared: bool, redis_budgets: list[RedisBudget]) -> None:
    # Sends that reach the platform up to 0.2 s after their slot, in any order: spacing alone
    # would let a late one land in the same window as the ones after it.
    limits = PlatformLimits(overall=Rate(30, 0.5), per_chat=Rate(1, 0.3), per_group=Rate(3, 1))
    budgets: list[Budget] = list(redis_budgets) if shared else [LocalBudget()]
    throttles = [Throttle("p", limits, budget) for budget in budgets]
    platform, delays = StrictPlatform(limits), random.Random(17)
    jobs = [send_late(throttles[i % len(throttles)], platform, f"c{i % 40}", delays) for i in range(200)]
    jobs += [send_late(throttles[i % len(throttles)], platform, "-500", delays, True) for i in range(5)]
    await asyncio.gather(*jobs)  # StrictPlatform raised RateLimited if any window went over
    times = sorted(platform.times)
    busiest = max(sum(1 for t in times if start <= t < start + 0.5) for start in times)
    assert len(times) == 205 and busiest <= 30


async def test_one_busy_chat_does_not_hold_up_the_others() -> None:
    throttle = Throttle("p", PlatformLimits(per_chat=Rate(1, 0.2)), LocalBudget())
    order: list[str] = []

    async def send(chat: str) -> None:
        async with throttle.slot(chat):
            order.append(chat)

    await asyncio.gather(*(send("busy") for _ in range(3)), send("other"))
    assert order.index("other") < order.index("busy", 1)


async def test_idle_chats_are_forgotten_so_memory_stays_flat() -> None:
    budget = LocalBudget()
    throttle = Throttle("p", PlatformLimits(per_chat=Rate(1, 0.001)), budget)
    for i in range(2500):
        async with throttle.slot(f"chat-{i}"):
            pass
        if i % 100 == 0:
            await asyncio.sleep(0.003)
    assert budget.tracked_chats("p") < 1000


def test_platforms_share_one_throttle_each_and_unknown_ones_are_unlimited() -> None:
    throttles = build_throttles(Settings())  # the installed platforms' own limits
    assert throttles.for_platform("telegram") is throttles.for_platform("telegram")
    telegram = throttles.for_platform("telegram").limits
    assert telegram.overall == Rate(30, 1)
    assert telegram.per_group == Rate(20, 60)
    assert throttles.for_platform("slack").limits.per_chat == Rate(1, 1)
    assert throttles.for_platform("console").limits == PlatformLimits()


async def flood_then_others(budget: Budget, chat_had_message: bool) -> float:
    """A 429 for one chat; how long the next send to another chat had to wait."""
    limits = PlatformLimits(overall=Rate(1000, 1), per_chat=Rate(1, 0.2))
    throttle, loop = Throttle("p", limits, budget), asyncio.get_running_loop()
    if chat_had_message:
        async with throttle.slot("busy"):
            pass
    with pytest.raises(RateLimited):
        async with throttle.slot("busy"):
            raise RateLimited(0.5)
    began = loop.time()
    async with throttle.slot("other"):
        return loop.time() - began


async def test_a_429_for_a_chat_with_no_recent_message_holds_back_every_chat() -> None:
    other_waited = await flood_then_others(LocalBudget(), chat_had_message=False)
    assert other_waited >= 0.45  # the platform's flood wait: nobody is sent to meanwhile


async def test_a_429_right_after_a_chats_previous_message_holds_back_only_that_chat() -> None:
    other_waited = await flood_then_others(LocalBudget(), chat_had_message=True)
    assert other_waited < 0.45


async def test_workers_sharing_redis_share_one_limit(redis_budgets: list[RedisBudget]) -> None:
    limits = PlatformLimits(overall=Rate(30, 1), per_chat=Rate(1, 0.5))
    platform = StrictPlatform(limits)
    chats: list[asyncio.Queue[str]] = [asyncio.Queue(), asyncio.Queue()]
    for i in range(90):  # both workers send to the same chats, as two processes broadcasting would
        chats[i % 2].put_nowait(f"c{i % 20}")

    async def sender(throttle: Throttle, queue: asyncio.Queue[str]) -> None:
        while not queue.empty():
            await send_through(throttle, platform, queue.get_nowait())

    workers = [Throttle("p", limits, budget) for budget in redis_budgets]
    await asyncio.gather(*(sender(throttle, queue) for throttle, queue in zip(workers, chats, strict=True)
                           for _ in range(8)))  # eight senders each, as the dispatcher has
    times = sorted(platform.times)
    busiest = max(sum(1 for t in times if start <= t < start + 1) for start in times)
    assert len(times) == 90 and busiest <= 30


async def test_a_flood_wait_seen_by_one_worker_holds_back_the_other(
        redis_budgets: list[RedisBudget]) -> None:
    other_waited = await flood_then_others(redis_budgets[0], chat_had_message=False)
    assert other_waited >= 0.45
    await redis_budgets[0].pause("p", 0.5)
    assert await redis_budgets[1].paused_for("p") > 0.3


async def test_without_redis_a_worker_goes_on_with_its_own_budget() -> None:
    budget = RedisBudget(connect("redis://127.0.0.1:1/0"), "coachbot-test-unreachable")
    throttle = Throttle("p", PlatformLimits(overall=Rate(100, 1)), budget)
    async with throttle.slot("c1"):
        pass  # sent, paced locally, instead of failing
    await budget.close()
