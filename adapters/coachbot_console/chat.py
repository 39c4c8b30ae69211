"""Translates lines typed in a terminal (or piped in) to the coach, and prints replies."""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from sqlalchemy.engine import make_url

from coachbot.clock import Clock
from coachbot.conversation import Coach
from coachbot.messages import ChatKind, Incoming, Reply
from coachbot.settings import default_data_dir
from coachbot.store.database import is_sqlite

if TYPE_CHECKING:
    from coachbot_console.simulated import ConsoleDeliveries

PLATFORM = "console"
QUIT = {"quit", "exit", ":q"}


def charts_folder(database_url: str) -> Path:
    """Beside the SQLite file; for a database server, the data directory."""
    database = make_url(database_url).database
    if is_sqlite(database_url) and database and database != ":memory:":
        return Path(database).expanduser().resolve().parent
    return default_data_dir()


class ChartSaver:
    """Writes a reply's chart to a PNG file, since a terminal cannot show it."""

    def __init__(self, folder: Path, clock: Clock) -> None:
        self.folder = folder
        self.clock = clock

    def save(self, reply: Reply, chat: str) -> str:
        """The line to print: where the chart is, or why it could not be written."""
        assert reply.image is not None
        stem = Path(reply.image_name).stem or "chart"
        where = re.sub(r"[^A-Za-z0-9_-]+", "-", chat).strip("-") or "chat"
        path = self.folder / f"{stem}-{where}-{self.clock.now():%Y%m%d-%H%M%S}.png"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(reply.image)
        except OSError as exc:
            return f"  [chart not saved: {exc.strerror or exc} ({path})]"
        return f"  [chart saved to {path} ({len(reply.image):,} bytes)]"


def render(reply: Reply, chart: str | None = None) -> str:
    """A reply as terminal text: the message, then numbered choices, then where its chart is."""
    lines = [reply.text]
    lines += [f"  {i}. {choice.label}" for i, choice in enumerate(reply.choices, 1)]
    if reply.image is not None:
        lines.append(chart or f"  [chart: {reply.image_name}, {len(reply.image):,} bytes]")
    return "\n".join(lines)


class ConsoleChat:
    """One learner chatting in a terminal; every line is one message."""

    def __init__(self, coach: Coach, user: str, out: TextIO | None = None,
                 readline: Callable[[], str] | None = None, interactive: bool | None = None,
                 group: str | None = None, mentor: bool = False,
                 deliveries: ConsoleDeliveries | None = None, charts: ChartSaver | None = None) -> None:
        self.coach = coach
        self.deliveries = deliveries
        self.user = user
        self.group = group
        self.mentor = mentor
        self.out = out or sys.stdout
        self.readline = readline or sys.stdin.readline
        self.interactive = sys.stdin.isatty() if interactive is None else interactive
        self.charts = charts or ChartSaver(charts_folder(coach.settings.database_url), coach.clock)

    @property
    def chat_id(self) -> str:
        return self.group if self.group else f"{PLATFORM}:{self.user}"

    def show(self, replies: list[Reply]) -> None:
        for reply in replies:
            chart = self.charts.save(reply, self.chat_id) if reply.image is not None else None
            text = render(reply, chart)
            if reply.private and self.group:  # what Slack and Telegram show to this person alone
                text = f"(only you see this) {text}"
            print(text, file=self.out)
            print(file=self.out)
        self.out.flush()

    async def send(self, text: str) -> list[Reply]:
        if self.deliveries is not None and self.deliveries.is_wait(text):
            replies = [await self.deliveries.wait(text)]  # the terminal's own command, not the coach's
            self.show(replies)
            return replies
        # In a group the person talks in the group chat; --mentor makes them an admin of it.
        incoming = Incoming(platform=PLATFORM, user_id=self.user, text=text,
                            display_name=self.user, chat_id=self.chat_id,
                            chat_kind=ChatKind.GROUP if self.group else ChatKind.PRIVATE,
                            is_chat_admin=self.mentor and self.group is not None,
                            timezone=self.coach.default_zone)
        replies = await self.coach.handle(incoming)
        self.show(replies)
        return replies

    async def run(self) -> None:
        if self.interactive:
            print("coachbot: type start to begin, help for commands, quit to leave.\n",
                  file=self.out)
        if self.deliveries is None:
            await self.converse()
            return
        await self.deliveries.start()
        try:
            await self.converse()
        finally:
            await self.deliveries.stop()

    async def converse(self) -> None:
        while True:
            if self.interactive:
                print("you> ", end="", file=self.out, flush=True)
            line = await asyncio.to_thread(self.readline)
            if line == "":  # end of input
                break
            text = line.rstrip("\r\n")
            if text.strip().lower() in QUIT:
                break
            await self.send(text)
