"""Per-platform rate limits, shared by everything that sends through a platform.

Every message takes a slot before it leaves. Slots are handed out by a *budget* that keeps a
schedule per platform (GCRA, "virtual scheduling"): the next slot is one gap after the last
one handed out, and never earlier than now. A slot is a time, reserved at once and waited for
by the sender, so a sender that wakes a little late does not push the others back; the slots
themselves are exactly one gap apart, so no one-second window ever holds more than
1 + 0.96 x 30 (that is 29) of them; and at its slot a send is admitted only if fewer than 29
sends went in the last second, so a sender that the machine held up does not go out in a
clump with the next ones. A chat's slot must also come at least its own gap (1 s,
or 3 s in a group) after that chat's previous slot; a sender whose chat is not ready yet
waits for it first and only then asks for a platform slot.

The budget lives in this process (`LocalBudget`), or in Redis (`coachbot.delivery.shared`)
when several workers send for the same bot: the limits are per bot token, not per process.

A 429 (`RateLimited`) raised inside a slot is reported to the budget. If the chat had a
message within about two of its windows just before, or the platform has no overall limit (Slack's are per
channel), the chat's limit is what was hit and only that chat waits; otherwise it is the
platform's flood wait (Telegram blocks the bot for everyone during `retry_after`), and every
slot of the platform is held back until it has passed.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

from coachbot import metrics
from coachbot.delivery.ports import RateLimited

log = logging.getLogger(__name__)
HEADROOM = 0.96
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


@dataclass(frozen=True)
class Grant:
    """A budget's answer: wait `chat_wait` for the chat and ask again, or send in `wait` seconds.

    `since_previous` is how long before this slot the chat's previous slot was (None: long ago).
    """

    wait: float = 0.0
    chat_wait: float = 0.0
    since_previous: float | None = None


@dataclass(frozen=True)
class Admission:
    """At a slot's time: go (both 0), wait out a flood wait (`pause`), or the last `window`
    already holds `cap` sends (`wait` until the oldest leaves it)."""

    pause: float = 0.0
    wait: float = 0.0


class Budget(Protocol):
    """Where the slots of every platform are kept."""

    async def reserve(self, platform: str, chat: str, gap: float, chat_gap: float,
                      again: bool = False) -> Grant:
        """Book the platform's next slot for `chat`; `again`: this chat's own message, re-booked."""
        ...

    async def admit(self, platform: str, window: float, cap: int) -> Admission:
        """Let one send go now, unless the platform is paused or `window` already has `cap`."""
        ...

    async def pause(self, platform: str, seconds: float) -> None:
        """Hand out no slot of `platform` for `seconds` (its flood wait)."""
        ...

    async def paused_for(self, platform: str) -> float:
        """Seconds left of the platform's flood wait; 0 when there is none."""
        ...

    async def close(self) -> None: ...


@dataclass
class _Schedule:
    next_slot: float = 0.0
    paused_until: float = 0.0
    # chat -> (its latest slot, the earliest time of its next one)
    chats: dict[str, tuple[float, float]] = field(default_factory=dict)
    grants: int = 0
    sent: deque[float] = field(default_factory=deque)  # when the sends of the last window went


class LocalBudget:
    """The budget of one process: enough when one worker sends for a bot."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._schedules: dict[str, _Schedule] = {}

    def _schedule(self, platform: str) -> _Schedule:
        return self._schedules.setdefault(platform, _Schedule())

    async def reserve(self, platform: str, chat: str, gap: float, chat_gap: float,
                      again: bool = False) -> Grant:
        schedule, now = self._schedule(platform), self._now()
        previous, ready = schedule.chats.get(chat, (None, 0.0))
        if ready > now and not again:
            return Grant(chat_wait=ready - now)
        slot = max(schedule.next_slot, schedule.paused_until, now)
        schedule.next_slot = slot + gap
        schedule.chats[chat] = (slot, slot + chat_gap)
        schedule.grants += 1
        if schedule.grants % PRUNE_EVERY == 0:
            self._forget_idle(schedule, now)
        return Grant(wait=slot - now, since_previous=None if previous is None else slot - previous)

    @staticmethod
    def _forget_idle(schedule: _Schedule, now: float) -> None:
        """A chat whose gap has passed is as good as new: drop it, so memory stays flat."""
        schedule.chats = {chat: times for chat, times in schedule.chats.items() if times[1] > now}

    async def admit(self, platform: str, window: float, cap: int) -> Admission:
        schedule, now = self._schedule(platform), self._now()
        if schedule.paused_until > now:
            return Admission(pause=schedule.paused_until - now)
        sent = schedule.sent
        while sent and sent[0] <= now - window:
            sent.popleft()
        if len(sent) >= cap:
            return Admission(wait=sent[0] + window - now)
        sent.append(now)
        return Admission()

    async def pause(self, platform: str, seconds: float) -> None:
        schedule = self._schedule(platform)
        schedule.paused_until = max(schedule.paused_until, self._now() + seconds)

    async def paused_for(self, platform: str) -> float:
        return max(0.0, self._schedule(platform).paused_until - self._now())

    def tracked_chats(self, platform: str) -> int:
        return len(self._schedule(platform).chats)

    async def close(self) -> None:
        return None


class Throttle:
    """The limits of one platform: take a slot before each message, send inside it."""

    def __init__(self, platform: str, limits: PlatformLimits, budget: Budget,
                 headroom: float = HEADROOM) -> None:
        self.platform = platform
        self.limits = limits
        self.budget = budget
        self._gap = limits.overall.gap(headroom) if limits.overall else 0.0
        self._chat_gap = limits.per_chat.gap(headroom) if limits.per_chat else 0.0
        self._group_gap = max(self._chat_gap, limits.per_group.gap(headroom) if limits.per_group else 0.0)
        self._chat_period = limits.per_chat.per if limits.per_chat else 0.0
        # A hard cap on sends in any window, on top of the spacing: a sender the machine held
        # up must not go out together with the next ones (29 of Telegram's 30).
        self._window = limits.overall.per if limits.overall else 0.0
        self._cap = math.ceil(limits.overall.count * headroom) if limits.overall else 0
        self._group_period = max(self._chat_period, limits.per_group.per if limits.per_group else 0.0)

    async def reserve(self, chat_id: str, is_group: bool = False, again: bool = False) -> Ticket:
        """Wait until the chat may have a message, then book the platform's next slot."""
        chat_gap = self._group_gap if is_group else self._chat_gap
        while True:
            grant = await self.budget.reserve(self.platform, chat_id, self._gap, chat_gap, again)
            if grant.chat_wait <= 0:
                return Ticket(self, chat_id, is_group, grant)
            await asyncio.sleep(grant.chat_wait)

    @asynccontextmanager
    async def slot(self, chat_id: str, is_group: bool = False) -> AsyncIterator[None]:
        ticket = await self.reserve(chat_id, is_group)
        async with ticket:
            yield

    @property
    def tracked_chats(self) -> int:
        """Chats this process's budget is holding a gap for (0 when the budget is in Redis)."""
        return self.budget.tracked_chats(self.platform) if isinstance(self.budget, LocalBudget) else 0

    async def rate_limited(self, chat_id: str, is_group: bool, retry_after: float,
                           since_previous: float | None) -> bool:
        """Record a 429; True when it held back the whole platform (not just this chat)."""
        # The chat's limit may be what was hit if it had a message within about two of its
        # windows. Only a platform with a limit of its own (Telegram's 30/s) has a flood wait.
        period = 2 * (self._group_period if is_group else self._chat_period)
        platform_wide = self._gap > 0 and (since_previous is None or since_previous >= period)
        metrics.RATE_LIMITED.labels(self.platform, "platform" if platform_wide else "chat").inc()
        metrics.RETRY_AFTER.labels(self.platform).inc(retry_after)
        if platform_wide:
            log.warning("%s answered 429 (retry after %gs) for a chat that had no recent message: "
                        "holding back every send to %s", self.platform, retry_after, self.platform)
            await self.budget.pause(self.platform, retry_after)
        return platform_wide


class Ticket:
    """A booked slot: entering waits for it (and for any flood wait that began meanwhile)."""

    def __init__(self, throttle: Throttle, chat_id: str, is_group: bool, grant: Grant) -> None:
        self.throttle = throttle
        self.chat_id = chat_id
        self.is_group = is_group
        self.grant = grant
        self._booked = asyncio.get_running_loop().time() + grant.wait
        self.platform_wide = False

    async def __aenter__(self) -> Ticket:
        throttle, loop = self.throttle, asyncio.get_running_loop()
        while True:
            delay = self._booked - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if not throttle._cap:
                return self
            admission = await throttle.budget.admit(throttle.platform, throttle._window, throttle._cap)
            if not (admission.pause or admission.wait):
                return self
            # A flood wait began after this slot was booked, or the last window is full (a
            # held-up sender went out late): wait, then book a slot of the schedule anew.
            await asyncio.sleep(admission.pause or admission.wait)
            fresh = await throttle.reserve(self.chat_id, self.is_group, again=not admission.pause)
            self.grant, self._booked = fresh.grant, fresh._booked

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        traceback: object) -> None:
        if isinstance(error, RateLimited):
            self.platform_wide = await self.throttle.rate_limited(
                self.chat_id, self.is_group, error.retry_after, self.grant.since_previous)


class Throttles:
    """Every platform's throttle, built once and shared by the dispatcher and the adapters.

    `limits` are the platforms' own (their profiles', see coachbot.platform); a platform
    without any is not paced.
    """

    def __init__(self, limits: Mapping[str, PlatformLimits] | None = None,
                 headroom: float = HEADROOM, budget: Budget | None = None) -> None:
        self._limits = dict(limits or {})
        self._headroom = headroom
        self.budget: Budget = budget or LocalBudget()
        self._throttles: dict[str, Throttle] = {}

    def for_platform(self, platform: str) -> Throttle:
        throttle = self._throttles.get(platform)
        if throttle is None:
            throttle = Throttle(platform, self._limits.get(platform, PlatformLimits()), self.budget,
                                self._headroom)
            self._throttles[platform] = throttle
        return throttle

    def slot(self, platform: str, chat_id: str, is_group: bool = False
             ) -> AbstractAsyncContextManager[None]:
        return self.for_platform(platform).slot(chat_id, is_group)

    async def reserve(self, platform: str, chat_id: str, is_group: bool = False) -> Ticket:
        return await self.for_platform(platform).reserve(chat_id, is_group)

    async def close(self) -> None:
        await self.budget.close()
