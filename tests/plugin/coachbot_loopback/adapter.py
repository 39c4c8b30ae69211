"""The loopback adapter: a person's message arrives as an HTTP request, the replies are its answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from aiohttp import web

from coachbot.messages import Incoming, Outgoing
from coachbot.platform import Route
from coachbot.settings import SettingsError

if TYPE_CHECKING:
    from coachbot.bootstrap import App

PLATFORM = "loopback"


class LoopbackMessenger:
    """What the scheduler sends, kept in order."""

    platform = PLATFORM

    def __init__(self) -> None:
        self.sent: list[dict[str, str]] = []

    async def send(self, out: Outgoing) -> str | None:
        self.sent.append({"chat": out.chat_id, "text": out.reply.text})
        return f"loopback-{len(self.sent)}"


class LoopbackAdapter:
    platform = PLATFORM

    def __init__(self, app: App) -> None:
        self.app = app
        self.messenger = LoopbackMessenger()

    def routes(self) -> list[Route]:
        return [Route("POST", "/loopback/messages", self.message), Route("GET", "/loopback/sent", self.sent)]

    async def message(self, request: web.Request) -> web.Response:
        body = await request.json()
        user = str(body["user"])
        incoming = Incoming(platform=PLATFORM, user_id=user, text=str(body["text"]), display_name=user,
                            chat_id=f"{PLATFORM}:{user}")
        return web.json_response([reply.text for reply in await self.app.coach.handle(incoming)])

    async def sent(self, request: web.Request) -> web.Response:
        return web.json_response(self.messenger.sent)

    async def start(self) -> None:
        return None

    async def connection_problem(self) -> str | None:
        return None  # people reach it on the coach's own HTTP server: up while it runs

    async def stop(self) -> None:
        return None


def create_adapter(app: App, env: Mapping[str, str]) -> LoopbackAdapter:
    if env.get("LOOPBACK_TOKEN", "").strip() != "open-sesame":
        raise SettingsError("LOOPBACK_TOKEN: expected open-sesame")
    return LoopbackAdapter(app)
