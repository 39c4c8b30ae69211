"""Translates lines typed in a terminal (or piped in) to the coach, and prints replies."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from coachbot.conversation import Coach
from coachbot.messages import ChatKind, Incoming, Reply

if TYPE_CHECKING:
    from coachbot_console.clockwork import ConsoleDeliveries

PLATFORM = "console"
QUIT = {"quit", "exit", ":q"}


def render(reply: Reply) -> str:
    """A reply as terminal text: the message, then numbered choices."""
    lines = [reply.text]
    lines += [f"  {i}. {choice.label}" for i, choice in enumerate(reply.choices, 1)]
    if reply.image is not None:
        lines.append(f"  [chart: {reply.image_name}, {len(reply.image):,} bytes; "
                     "Slack and Telegram show it as an image]")
    return "\n".join(lines)


class ConsoleChat:
    """One learner chatting in a terminal; every line is one message."""

    def __init__(self, coach: Coach, user: str, out: TextIO | None = None,
                 readline: Callable[[], str] | None = None, interactive: bool | None = None,
                 group: str | None = None, mentor: bool = False,
                 deliveries: ConsoleDeliveries | None = None) -> None:
        self.coach = coach
        self.deliveries = deliveries
        self.user = user
        self.group = group
        self.mentor = mentor
        self.out = out or sys.stdout
        self.readline = readline or sys.stdin.readline
        self.interactive = sys.stdin.isatty() if interactive is None else interactive

    def show(self, replies: list[Reply]) -> None:
        for reply in replies:
            print(render(reply), file=self.out)
            print(file=self.out)
        self.out.flush()

    async def send(self, text: str) -> list[Reply]:
        if self.deliveries is not None and self.deliveries.is_wait(text):
            replies = [await self.deliveries.wait(text)]  # the terminal's own command, not the coach's
            self.show(replies)
            return replies
        # In a group the person talks in the group chat; --mentor makes them an admin of it.
        incoming = Incoming(platform=PLATFORM, user_id=self.user, text=text,
                            display_name=self.user,
                            chat_id=self.group if self.group else f"console:{self.user}",
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
