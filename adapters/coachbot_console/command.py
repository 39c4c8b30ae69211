"""`coachbot chat`: the coach in this terminal, added to the command line as a plug-in.

Registered under the `coachbot.commands` entry points; everything the chat needs is imported
when it starts, so `coachbot --help` does not pay for it.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
from typing import Any


def register(commands: Any) -> None:
    """Add `chat` to the top-level sub-parsers."""
    chat = commands.add_parser("chat", help="chat with the coach in this terminal")
    chat.add_argument("--db", metavar="PATH", help="SQLite database file (default: the data dir)")
    chat.add_argument("--user", default=os.environ.get("USER") or "me", help="learner name")
    chat.add_argument("--group", metavar="ID", help="talk in the group ID, as a member")
    chat.add_argument("--mentor", action="store_true", help="with --group: as a mentor of it")
    chat.add_argument("--now", metavar="ISO", help="run on a simulated clock starting at this "
                      "instant (e.g. 2026-03-07T08:00-05:00); then wait 90m / 3h / 1d moves it")
    chat.set_defaults(func=cmd_chat)


def cmd_chat(args: argparse.Namespace) -> int:
    from coachbot.bootstrap import build
    from coachbot.cli import open_settings
    from coachbot.clock import SimulatedClock, machine_zone_name
    from coachbot.faq.choose import announce
    from coachbot_console.simulated import console_chat, parse_now

    try:
        clock = SimulatedClock(parse_now(args.now, machine_zone_name())) if args.now else None
    except ValueError as exc:
        print(f"coachbot chat: {exc}", file=sys.stderr)
        return 2
    settings = open_settings(args)
    announce()
    app = build(settings, clock=clock)
    _tolerant_terminal()

    async def chat() -> None:
        try:
            await console_chat(app, args.user, clock, group=args.group, mentor=args.mentor).run()
        finally:
            await app.close()

    asyncio.run(chat())
    return 0


def _tolerant_terminal() -> None:
    """Bytes that are not UTF-8 reach the coach (which cleans them) instead of ending the chat."""
    for stream, errors in ((sys.stdin, "surrogateescape"), (sys.stdout, "replace")):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors=errors)
