"""Where the slots of every platform are kept: the budget's interface and the one of a single
process (`LocalBudget`). How sends use them, and why, is in `coachbot.delivery.limits`; the
budget shared by several workers is in `coachbot.delivery.shared`."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

PRUNE_EVERY = 1000
HOLD = 60.0  # seconds a send without an answer yet counts in its windows, at most


@dataclass(frozen=True)
class Grant:
    """A budget's answer: wait `chat_wait` for the chat and ask again, or send in `wait` seconds.

    `since_previous` is how long before this slot the chat's previous slot was (None: long ago).
    """

    wait: float = 0.0
    chat_wait: float = 0.0
    since_previous: float | None = None


@dataclass(frozen=True)
class Window:
    """At most `cap` sends in any `per` seconds, to the whole platform (`chat` None) or one chat."""

    chat: str | None
    cap: int
    per: float

    @property
    def key(self) -> str:
        return "counted" if self.chat is None else f"chat:{self.chat}:counted:{self.cap}/{self.per:g}"


@dataclass(frozen=True)
class Admission:
    """At a slot's time: go (`token`, handed back to `finish` once the answer came), wait out a
    flood wait (`pause`), or a window is full (`wait` until one of its sends stops counting)."""

    pause: float = 0.0
    wait: float = 0.0
    token: str = ""


class Budget(Protocol):
    """Where the slots of every platform are kept."""

    async def reserve(self, platform: str, chat: str, gap: float, chat_gap: float) -> Grant:
        """Book the platform's next slot for `chat`, once the chat's own gap has passed."""
        ...

    async def admit(self, platform: str, windows: Sequence[Window]) -> Admission:
        """Let one send go now, unless the platform is paused or one of `windows` is full."""
        ...

    async def finish(self, platform: str, windows: Sequence[Window], token: str) -> None:
        """The admitted send's answer came back: it counts for one more window, then no more."""
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
    # window key -> admitted send -> until when it counts (in flight: HOLD after its admission)
    windows: dict[str, dict[str, float]] = field(default_factory=dict)


class LocalBudget:
    """The budget of one process: enough when one worker sends for a bot."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._schedules: dict[str, _Schedule] = {}
        self._tokens = itertools.count(1)

    def _schedule(self, platform: str) -> _Schedule:
        return self._schedules.setdefault(platform, _Schedule())

    async def reserve(self, platform: str, chat: str, gap: float, chat_gap: float) -> Grant:
        schedule, now = self._schedule(platform), self._now()
        previous, ready = schedule.chats.get(chat, (None, 0.0))
        if ready > now:
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
        schedule.windows = {key: live for key, sends in schedule.windows.items()
                            if (live := {t: until for t, until in sends.items() if until > now})}

    async def admit(self, platform: str, windows: Sequence[Window]) -> Admission:
        schedule, now = self._schedule(platform), self._now()
        if schedule.paused_until > now:
            return Admission(pause=schedule.paused_until - now)
        wait = 0.0
        for window in windows:
            sends = schedule.windows.get(window.key, {})
            if len(sends) >= window.cap:
                sends = schedule.windows[window.key] = {t: u for t, u in sends.items() if u > now}
            if len(sends) >= window.cap:  # a send in flight frees its place a window after its answer
                wait = max(wait, min(min(sends.values()) - now, window.per))
        if wait:
            return Admission(wait=wait)
        token = str(next(self._tokens))
        for window in windows:
            schedule.windows.setdefault(window.key, {})[token] = now + HOLD
        return Admission(token=token)

    async def finish(self, platform: str, windows: Sequence[Window], token: str) -> None:
        schedule, now = self._schedule(platform), self._now()
        for window in windows:
            schedule.windows.setdefault(window.key, {})[token] = now + window.per

    async def pause(self, platform: str, seconds: float) -> None:
        schedule = self._schedule(platform)
        schedule.paused_until = max(schedule.paused_until, self._now() + seconds)

    async def paused_for(self, platform: str) -> float:
        return max(0.0, self._schedule(platform).paused_until - self._now())

    def tracked_chats(self, platform: str) -> int:
        return len(self._schedule(platform).chats)

    async def close(self) -> None:
        return None
