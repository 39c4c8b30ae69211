"""Per-platform rate limits, shared by everything that sends through a platform.

Every message takes a slot before it leaves. Slots are handed out by a *budget* that keeps a
schedule per platform (GCRA, "virtual scheduling"): the next slot is one gap after the last
one handed out, and never earlier than now, so sends are spread evenly at 0.96 of the limit.
A chat's slot must also come at least its own gap (1 s, or 3 s in a group) after that chat's
previous slot; a sender whose chat is not ready yet waits for it first and only then asks for
a platform slot.

The spacing alone cannot keep a promise on a busy machine: a sender held up between its slot
and the platform counts against a later second. So at its slot a send is also *admitted*, by
the platform's own windows (30 in any one second, 1 per second in a chat, 20 per minute in a
group): a send counts in a window from the moment it is admitted until one window after its
answer came back, and is admitted only while fewer than the limit count. Each request reaches
the platform somewhere between those two moments, so any sends that land within one window of
each other all counted when the last of them was admitted: however late a sender or an answer
is, no window at the platform holds more than its limit. A full window says how long until one
of its sends stops counting; a send still without an answer counts for `budget.HOLD` seconds at most
(longer than any request's timeout), so a worker that died mid-send does not hold its place
for ever.

The budget lives in this process (`coachbot.delivery.budget.LocalBudget`), or in Redis
(`coachbot.delivery.shared`) when several workers send for the same bot: the limits are per
bot token, not per process.

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
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

from coachbot import metrics
from coachbot.delivery.budget import Budget, Grant, LocalBudget, Window
from coachbot.delivery.ports import RateLimited

log = logging.getLogger(__name__)
HEADROOM = 0.96


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
        self._group_period = max(self._chat_period, limits.per_group.per if limits.per_group else 0.0)

    def windows(self, chat_id: str, is_group: bool) -> tuple[Window, ...]:
        """The windows a send to this chat is admitted by: the platform's own figures, exactly
        (the headroom is in the spacing; admission is what no delay can get round)."""
        limits = self.limits
        found = [(None, limits.overall), (chat_id, limits.per_chat),
                 (chat_id, limits.per_group if is_group else None)]
        return tuple(Window(chat, max(1, math.floor(rate.count)), rate.per)
                     for chat, rate in found if rate is not None)

    async def reserve(self, chat_id: str, is_group: bool = False) -> Ticket:
        """Wait until the chat may have a message, then book the platform's next slot."""
        chat_gap = self._group_gap if is_group else self._chat_gap
        while True:
            grant = await self.budget.reserve(self.platform, chat_id, self._gap, chat_gap)
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
    """A booked slot: entering waits for it, then for the send's admission (see above)."""

    def __init__(self, throttle: Throttle, chat_id: str, is_group: bool, grant: Grant) -> None:
        self.throttle = throttle
        self.chat_id = chat_id
        self.is_group = is_group
        self.grant = grant
        self._booked = asyncio.get_running_loop().time() + grant.wait
        self._windows = throttle.windows(chat_id, is_group)
        self._token = ""
        self.platform_wide = False

    async def __aenter__(self) -> Ticket:
        throttle, loop = self.throttle, asyncio.get_running_loop()
        while self._windows:
            delay = self._booked - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            admission = await throttle.budget.admit(throttle.platform, self._windows)
            if admission.token:
                self._token = admission.token
                break
            if admission.pause:  # a flood wait began after this slot was booked: book anew after it
                await asyncio.sleep(admission.pause)
                fresh = await throttle.reserve(self.chat_id, self.is_group)
                self.grant, self._booked = fresh.grant, fresh._booked
            else:  # a window is full (senders held up went out late): go as soon as it has room
                await asyncio.sleep(admission.wait)
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        traceback: object) -> None:
        if self._token:  # whatever the answer was, even none: the request may have arrived
            token, self._token = self._token, ""
            await self.throttle.budget.finish(self.throttle.platform, self._windows, token)
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
