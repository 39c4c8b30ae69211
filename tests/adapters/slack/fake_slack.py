"""A local stand-in for Slack's Web API (and its Socket Mode WebSocket) on 127.0.0.1.

A real aiohttp server on an ephemeral port: slack_sdk talks to it over HTTP exactly as it
would to slack.com. It records every call, answers the methods the adapter uses, and can be
told to answer a method with an error, a 429 with Retry-After, or to hold a call until
released.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from coachbot.clock import Clock

BOT_USER = "UBOT"
TEAM = "T0TEAM"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    at: datetime | None = None  # the coach's clock when it arrived (simulated days)
    result: dict[str, Any] = field(default_factory=dict)
    wall: float = field(default_factory=time.monotonic)  # real time, for Retry-After


@dataclass
class Scripted:
    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


class FakeSlack:
    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, bytes] = {}
        self.responses: list[Call] = []  # posts to response_url
        self.expired: set[str] = set()  # response_url hooks Slack no longer takes
        self.socket_acks: list[dict[str, Any]] = []
        self._scripted: dict[str, deque[Scripted]] = defaultdict(deque)
        self._gates: dict[str, asyncio.Event] = {}
        self._changed = asyncio.Event()
        self._ts = itertools.count(1)
        self._files = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._connected = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/respond/{hook}", self._respond)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        for gate in self._gates.values():
            gate.set()
        for ws in self._sockets:
            await ws.close()
        await self._runner.cleanup()

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.root}/api/"

    def response_url(self, name: str = "hook") -> str:
        return f"{self.root}/respond/{name}"

    # -- the workspace ---------------------------------------------------------------------

    def add_user(self, user_id: str, name: str, tz: str = "Europe/Berlin", *, admin: bool = False,
                 owner: bool = False) -> None:
        self.users[user_id] = {
            "id": user_id, "team_id": TEAM, "name": name.lower(), "real_name": name, "tz": tz,
            "tz_label": tz, "tz_offset": 0, "is_admin": admin, "is_owner": owner,
            "is_primary_owner": False, "is_bot": False, "deleted": False,
            "profile": {"display_name": name, "real_name": name}}

    # -- scripting -------------------------------------------------------------------------

    def answer_error(self, method: str, error: str, times: int = 1, status: int = 200) -> None:
        for _ in range(times):
            self._scripted[method].append(Scripted(status, {"ok": False, "error": error}))

    def rate_limit(self, method: str, retry_after: int, times: int = 1) -> None:
        for _ in range(times):
            self._scripted[method].append(Scripted(429, {"ok": False, "error": "ratelimited"},
                                                   {"Retry-After": str(retry_after)}))

    def hold(self, method: str) -> asyncio.Event:
        """Calls to `method` wait until the returned event is set."""
        gate = self._gates[method] = asyncio.Event()
        return gate

    # -- what happened -----------------------------------------------------------------------

    def called(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def posts(self, channel: str | None = None) -> list[Call]:
        """Messages posted with chat.postMessage (to one channel, if given)."""
        return [c for c in self.called("chat.postMessage")
                if channel is None or c.args.get("channel") == channel]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 20.0) -> list[Call]:
        async def arrived() -> list[Call]:
            while len(self.called(method)) < count:
                self._changed.clear()
                await self._changed.wait()
            return self.called(method)

        return await asyncio.wait_for(arrived(), timeout)

    # -- Socket Mode ---------------------------------------------------------------------------

    async def socket_send(self, envelope: dict[str, Any]) -> None:
        await asyncio.wait_for(self._connected.wait(), 10)
        await self._sockets[-1].send_str(json.dumps(envelope))

    async def socket_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        async def acked() -> dict[str, Any]:
            while True:
                found = [a for a in self.socket_acks if a.get("envelope_id") == envelope_id]
                if found:
                    return found[0]
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(acked(), timeout)

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        self._connected.set()
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self.socket_acks.append(json.loads(message.data))
                self._changed.set()
        return ws

    # -- HTTP --------------------------------------------------------------------------------

    async def _arguments(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        raw = await request.read()
        if request.content_type == "application/json" and raw:
            args.update(json.loads(raw))
        elif raw:
            args.update(parse_qsl(raw.decode()))
        for key in ("blocks", "view", "files"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        return args

    def _record(self, method: str, args: dict[str, Any]) -> Call:
        call = Call(method, args, self.clock.now() if self.clock else None)
        self.calls.append(call)
        self._changed.set()
        return call

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._arguments(request)
        call = self._record(method, args)
        gate = self._gates.get(method)
        if gate is not None:
            await gate.wait()
        if not request.headers.get("Authorization", "").startswith("Bearer x"):
            return web.json_response({"ok": False, "error": "not_authed"})
        queued = self._scripted.get(method)
        if queued:
            scripted = queued.popleft()
            return web.json_response(scripted.body, status=scripted.status, headers=scripted.headers)
        call.result = self._answer(method, args)
        return web.json_response(call.result)

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "url": "https://newcomers.slack.com/", "team": "Newcomers",
                    "user": "coach", "team_id": TEAM, "user_id": BOT_USER, "bot_id": "B0BOT"}
        if method == "users.info":
            user = self.users.get(str(args.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", "")).lstrip("U")}}
        if method in ("chat.postMessage", "chat.update"):
            channel = str(args.get("channel", ""))
            channel = "D" + channel[1:] if channel.startswith("U") else channel
            ts = args.get("ts") or f"1700000000.{next(self._ts):06d}"
            return {"ok": True, "channel": channel, "ts": ts,
                    "message": {"text": args.get("text"), "blocks": args.get("blocks"), "ts": ts}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}
        if method == "views.publish":
            return {"ok": True, "view": {"id": "V1", **(args.get("view") or {})}}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._files)}"
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.root}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = args.get("files") or []
            return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title")} for f in files]}
        return {"ok": True}

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        self.uploads[file_id] = await request.read()
        self._record("upload", {"file_id": file_id, "size": len(self.uploads[file_id])})
        return web.Response(text=f"OK - {len(self.uploads[file_id])}")

    async def _respond(self, request: web.Request) -> web.Response:
        if request.match_info["hook"] in self.expired:  # used five times, or older than 30 minutes
            return web.Response(status=404, text="expired_url")
        body = json.loads(await request.read() or b"{}")
        self.responses.append(Call(request.match_info["hook"], body))
        self._record("response_url", {"hook": request.match_info["hook"], **body})
        return web.Response(text="ok")
