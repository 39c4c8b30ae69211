"""The terminal's clock: scheduled lessons printed as they arrive, and `wait` on a simulated clock.

With `coachbot chat --now ...` the chat runs on a SimulatedClock that only `wait` moves; each wait
stops at every due instant on the way and prints what was sent. Without --now the real clock
is used and a background scheduler prints lessons while the chat reads input.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TextIO
from zoneinfo import ZoneInfo

from coachbot.clock import SimulatedClock
from coachbot.delivery.scheduler import Scheduler
from coachbot.delivery.service import DeliveryService, StepReport
from coachbot.localtime import at_local
from coachbot.messages import Outgoing, Reply
from coachbot.store.outbox import Scope
from coachbot.store.repository import Repository
from coachbot_console.chat import PLATFORM, ChartSaver, ConsoleChat, charts_folder, render
from coachbot_console.dashboard import DashboardBeside

if TYPE_CHECKING:
    from coachbot.bootstrap import App

EXAMPLE_NOW = "coachbot chat --now 2026-03-07T08:00-05:00"
WAIT_USAGE = "For example: wait 90m, wait 3h, wait 1d or wait 1h30m."
MAX_WAIT = timedelta(days=400)
_PART = re.compile(r"(\d+)\s*(days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)(?![a-z])", re.I)
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
LABELS = {"lesson": "your daily lesson", "reminder": "a reminder", "group_lesson": "a group lesson",
          "digest": "the weekly digest"}


def parse_duration(text: str) -> timedelta | None:
    """'90m', '3h', '1d', '1h30m', '2 hours' -> timedelta; anything else -> None."""
    cleaned = text.strip().lower()
    if not cleaned or _PART.sub("", cleaned).strip():
        return None
    total = timedelta()
    for amount, unit in _PART.findall(cleaned):
        key = "m" if unit.startswith("mi") else unit[0]
        total += timedelta(**{_UNITS[key]: int(amount)})
    return total


def parse_now(text: str, zone: str) -> datetime:
    """An ISO 8601 instant; without an offset it is read as wall time in `zone`."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"--now {text!r} is not an ISO 8601 date and time; for example "
                         "2026-03-07T08:00-05:00, or 2026-03-07T08:00 in this machine's zone") from None
    if parsed.tzinfo is None:
        return at_local(parsed.date(), parsed.time(), zone)
    return parsed


def describe(instant: datetime, zone: str) -> str:
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b %Y} {local:%H:%M} ({zone})"


class ConsoleMessenger:
    """The console as a platform: what the scheduler sends to this terminal's user is printed."""

    platform = "console"

    def __init__(self, out: TextIO, after: Callable[[], None] | None = None,
                 charts: ChartSaver | None = None) -> None:
        self.out = out
        self.after = after
        self.charts = charts
        self.count = 0

    async def send(self, out: Outgoing) -> str | None:
        self.count += 1
        print(self.header(out), file=self.out)
        reply = out.reply
        chart = self.charts.save(reply, out.chat_id) if self.charts and reply.image is not None else None
        print(render(reply, chart), file=self.out)
        print(file=self.out)
        if self.after is not None:
            self.after()
        self.out.flush()
        return f"console-{self.count}"

    @staticmethod
    def header(out: Outgoing) -> str:
        label = LABELS.get(out.metadata.get("kind", ""), "a message")
        local, zone = out.metadata.get("local_time"), out.metadata.get("zone")
        if local and zone:
            return f"[{describe(datetime.fromisoformat(local), zone)}] {label}:"
        return f"[{label}]"


class ConsoleDeliveries:
    """Scheduled deliveries for one console chat, on a simulated or the real clock."""

    def __init__(self, service: DeliveryService, messenger: ConsoleMessenger, user: str,
                 clock: SimulatedClock | None = None, tick_seconds: float = 20,
                 dashboard: DashboardBeside | None = None, default_zone: str = "UTC") -> None:
        self.service = service
        self.default_zone = default_zone
        self.messenger = messenger
        self.user = user
        self.clock = clock
        self.scheduler = None if clock is not None else Scheduler(service, tick_seconds)
        self.dashboard = dashboard

    async def start(self) -> None:
        """Send what is due right now (still for today), then keep the real clock ticking."""
        if self.dashboard is not None:
            await self.dashboard.start()
        if self.scheduler is not None:
            await self.scheduler.start()
            return
        await self.service.recover()
        await self.service.step()

    async def stop(self) -> None:
        if self.scheduler is not None:
            await self.scheduler.stop()
        if self.dashboard is not None:
            await self.dashboard.stop()

    @staticmethod
    def is_wait(text: str) -> bool:
        """`wait` alone or `wait <duration>`; any other line starting with "wait" is for the coach."""
        words = text.strip().split(maxsplit=1)
        if not words or words[0].lower().lstrip("/") != "wait":
            return False
        return len(words) == 1 or parse_duration(words[1]) is not None

    async def wait(self, text: str) -> Reply:
        argument = text.strip().split(maxsplit=1)[1:] or [""]
        if self.clock is None:
            return Reply(f"wait only works on a simulated clock. Start the chat with --now, for "
                         f"example: {EXAMPLE_NOW}")
        if not argument[0]:
            return Reply(f"How long should I wait? {WAIT_USAGE}")
        delta = parse_duration(argument[0])
        if delta is None or not timedelta() < delta <= MAX_WAIT:
            return Reply(f"I couldn't read '{argument[0][:30]}' as a duration up to 400 days. "
                         f"{WAIT_USAGE}")
        before = self.messenger.count
        await advance(self.service, self.clock, delta)
        arrived = self.messenger.count - before
        news = "nothing arrived" if arrived == 0 else (
            "1 message arrived" if arrived == 1 else f"{arrived} messages arrived")
        return Reply(f"(Waited {argument[0].strip()}: it's now "
                     f"{describe(self.clock.now(), await self.zone())}; {news}.)")

    async def zone(self) -> str:
        async with self.service.sessions() as session:
            learner = await Repository(session).learner(self.messenger.platform, self.user)
        return learner.timezone if learner is not None else self.default_zone


def console_chat(app: App, user: str, clock: SimulatedClock | None = None, *, group: str | None = None,
                 mentor: bool = False, out: TextIO | None = None, readline: Callable[[], str] | None = None,
                 interactive: bool | None = None) -> ConsoleChat:
    """A terminal chat with its scheduled lessons (only this user's chats), on `clock` if given."""
    out = out or sys.stdout
    interactive = sys.stdin.isatty() if interactive is None else interactive
    charts = ChartSaver(charts_folder(app.settings.database_url), app.clock)

    def prompt() -> None:
        print("you> ", end="", file=out, flush=True)

    messenger = ConsoleMessenger(out, after=prompt if interactive and clock is None else None, charts=charts)
    # Someone who first spoke in a group has their lessons addressed to their user id (the
    # private chat the platforms give a person); someone who started here, to console:<user>.
    chats = {f"{PLATFORM}:{user}", user, *([group] if group else [])}
    service = app.delivery({PLATFORM: messenger}, Scope(frozenset({PLATFORM}), frozenset(chats)))
    dashboard = DashboardBeside(app, out) if app.settings.public_url else None
    deliveries = ConsoleDeliveries(service, messenger, user, clock, app.settings.delivery_tick_seconds,
                                   dashboard, app.coach.default_zone)
    return ConsoleChat(app.coach, user, out=out, readline=readline, interactive=interactive, group=group,
                       mentor=mentor, deliveries=deliveries, charts=charts)


async def advance(service: DeliveryService, clock: SimulatedClock, delta: timedelta) -> list[StepReport]:
    """Move a simulated clock forward, planning and sending at each due instant on the way."""
    end = clock.now() + delta
    reports = [await service.step()]
    while (wake := await service.next_wake()) is not None and wake <= end:
        clock.set(wake)
        reports.append(await service.step())
    if clock.now() < end:
        clock.set(end)
        reports.append(await service.step())
    return reports
