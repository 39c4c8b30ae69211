"""A running dashboard for tests: the coach, the shared HTTP server on a free local port,
and a recording messenger behind the delivery service, so a push can be seen arriving."""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from coachbot.clock import SimulatedClock
from coachbot.content import Content
from coachbot.conversation import Coach
from coachbot.dashboard.web import dashboard_routes
from coachbot.http import HttpServer
from coachbot.settings import Settings
from tests.conftest import Chat, app_for
from tests.delivery_kit import Town

SECRET = "a-test-secret-that-is-long-enough-to-sign-links"
LINK = re.compile(r"https?://\S+/dashboard/open/\S+")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    coach: Coach
    town: Town
    base: str

    def mentor(self, user: str = "gina", group: str = "-100") -> Chat:
        return Chat(self.coach, user, chat_id=group, group=True, admin=True)

    def member(self, user: str, group: str = "-100") -> Chat:
        return Chat(self.coach, user, chat_id=group, group=True)

    async def link(self, user: str = "gina", group: str = "-100") -> str:
        """A sign-in link, asked for with the `dashboard` command, as a mentor would."""
        chat = self.mentor(user, group)
        text = await chat.say("dashboard")
        assert all(reply.private for reply in chat.last)
        found = LINK.search(text)
        assert found, text
        return found.group(0)


@asynccontextmanager
async def serve(content: Content, engine: AsyncEngine, clock: SimulatedClock,
                database_url: str, public_url: str | None = None) -> AsyncIterator[Served]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(database_url=database_url, public_url=public_url or base, secret_key=SECRET)
    app = app_for(content, engine, clock, settings)
    server = HttpServer(dashboard_routes(app), "127.0.0.1", port)
    await server.start()
    try:
        yield Served(app.coach, Town(app.coach, clock), base)
    finally:
        await server.stop()
