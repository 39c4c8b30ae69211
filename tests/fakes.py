"""Fakes at the network seam, for the tests and the benchmarks (which import them from here).

`RecordingMessenger` keeps what it was asked to send and can answer with scripted errors.
`FakePlatform` is a local HTTP endpoint that behaves like a chat platform's send API, rate
limits included, and `HttpMessenger` is the adapter that talks to it, mapping HTTP answers to
the port's errors the way the real adapters do.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict, deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from coachbot.delivery.ports import ChatMoved, RateLimited, RecipientGone, TransientError
from coachbot.messages import Outgoing


class RecordingMessenger:
    """Records every message; `answer(chat, error, ...)` makes the next sends to a chat fail."""

    def __init__(self, platform: str = "test") -> None:
        self.platform = platform
        self.sent: list[Outgoing] = []
        self.attempts: list[Outgoing] = []
        self._answers: dict[str, deque[Exception]] = defaultdict(deque)
        self.arrived = asyncio.Event()

    def answer(self, chat_id: str, *errors: Exception) -> None:
        self._answers[chat_id].extend(errors)

    def calm(self, chat_id: str) -> None:
        """Drop the errors still scripted for a chat: its sends succeed again."""
        self._answers.pop(chat_id, None)

    async def send(self, out: Outgoing) -> str | None:
        self.attempts.append(out)
        queued = self._answers.get(out.chat_id)
        if queued:
            raise queued.popleft()
        self.sent.append(out)
        self.arrived.set()
        return f"m{len(self.sent)}"

    def to(self, chat_id: str) -> list[Outgoing]:
        return [out for out in self.sent if out.chat_id == chat_id]


@dataclass
class Received:
    at: float
    chat_id: str
    text: str
    outbox_id: str


@dataclass
class PlatformRules:
    """What the fake enforces: messages per second overall, seconds between two to one chat."""

    overall_per_second: float | None = None
    chat_interval: float | None = None
    latency: float = 0.0
    gone: set[str] = field(default_factory=set)
    moved: dict[str, str] = field(default_factory=dict)
    failing: dict[str, int] = field(default_factory=dict)
    # A flood wait for the whole bot: once `flood_after` messages were accepted, every request
    # is answered 429 (retry after `flood_retry_after`) for `flood_seconds`.
    flood_after: int | None = None
    flood_seconds: float = 0.0
    flood_retry_after: float = 1.0


class FakePlatform:
    """A chat platform's send endpoint on 127.0.0.1 (POST /send), run in a background thread."""

    def __init__(self, rules: PlatformRules | None = None) -> None:
        self.rules = rules or PlatformRules()
        self.received: list[Received] = []
        self.rate_limited = 0
        self.limited_at: list[float] = []
        self._lock = threading.Lock()
        self._window: deque[float] = deque()
        self._last: dict[str, float] = {}
        self._flood_began: float | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/send"

    @contextmanager
    def running(self) -> Iterator[FakePlatform]:
        self._thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()

    def serve(self) -> None:
        """Serve in this thread until the process ends (run it in a process of its own)."""
        self._server.serve_forever()

    def count(self) -> int:
        with self._lock:
            return len(self.received)

    def answer(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        chat = str(body.get("chat_id", ""))
        rules = self.rules
        if rules.latency:
            time.sleep(rules.latency)
        if chat in rules.gone:
            return 403, {"ok": False, "description": "Forbidden: bot was blocked by the user"}
        if chat in rules.moved:
            return 400, {"ok": False, "description": "Bad Request: group chat was upgraded",
                         "parameters": {"migrate_to_chat_id": rules.moved[chat]}}
        with self._lock:
            if rules.failing.get(chat, 0) > 0:
                rules.failing[chat] -= 1
                return 502, {"ok": False, "description": "Bad Gateway"}
            wait = self._flooding(time.monotonic()) or self._wait(chat, time.monotonic())
            if wait > 0:
                self.rate_limited += 1
                self.limited_at.append(time.monotonic())
                return 429, {"ok": False, "description": "Too Many Requests",
                             "parameters": {"retry_after": round(wait, 3)}}
            now = time.monotonic()
            self._window.append(now)
            self._last[chat] = now
            self.received.append(Received(now, chat, str(body.get("text", "")),
                                          str(body.get("outbox_id", ""))))
            return 200, {"ok": True, "result": {"message_id": len(self.received)}}

    def _flooding(self, now: float) -> float:
        rules = self.rules
        if rules.flood_after is None or len(self.received) < rules.flood_after:
            return 0.0
        if self._flood_began is None:
            self._flood_began = now
        return rules.flood_retry_after if now - self._flood_began < rules.flood_seconds else 0.0

    def _wait(self, chat: str, now: float) -> float:
        """Seconds until this message would be within the limits; 0 when it is now."""
        waits = [0.0]
        rate = self.rules.overall_per_second
        if rate is not None:
            while self._window and now - self._window[0] >= 1.0:
                self._window.popleft()
            if len(self._window) >= rate:
                waits.append(1.0 - (now - self._window[0]))
        interval = self.rules.chat_interval
        last = self._last.get(chat)
        if interval is not None and last is not None and now - last < interval:
            waits.append(interval - (now - last))
        return max(waits)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    status, answer = 400, {"ok": False, "description": "Bad Request: not JSON"}
                else:
                    status, answer = platform.answer(body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # GET /stats: what arrived, for a benchmark in another process
                with platform._lock:
                    if "reset=1" in self.path:  # a new run: forget what arrived before
                        platform.received.clear()
                        platform.limited_at.clear()
                        platform.rate_limited = 0
                        platform._window.clear()
                        platform._last.clear()
                    stats = {"rate_limited": platform.rate_limited, "limited_at": platform.limited_at,
                             "received": [[r.at, r.chat_id, r.outbox_id] for r in platform.received]}
                data = json.dumps(stats).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


class HttpMessenger:
    """The messenger for `FakePlatform`: HTTP answers become the port's errors."""

    def __init__(self, url: str, platform: str = "fakechat", timeout: float = 10.0,
                 threads: int = 32) -> None:
        self.url = url
        self.platform = platform
        self.timeout = timeout
        # Its own threads: queueing behind the loop's small default pool would bunch requests up.
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="http-messenger")

    async def send(self, out: Outgoing) -> str | None:
        body = {"chat_id": out.chat_id, "text": out.reply.text,
                "outbox_id": out.metadata.get("outbox_id", "")}
        status, answer = await asyncio.get_running_loop().run_in_executor(self._pool, self._post, body)
        if status == 200:
            return str(answer.get("result", {}).get("message_id", ""))
        parameters = answer.get("parameters") or {}
        description = str(answer.get("description", f"HTTP {status}"))
        if status == 429:
            raise RateLimited(float(parameters.get("retry_after", 1)), description)
        if "migrate_to_chat_id" in parameters:
            raise ChatMoved(str(parameters["migrate_to_chat_id"]), description)
        if status in (403, 404):
            raise RecipientGone(description)
        raise TransientError(description)

    def _post(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(self.url, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")
        except ConnectionRefusedError as error:
            raise TransientError(f"connection refused: {error}") from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, ConnectionRefusedError):
                raise TransientError(f"connection refused: {error.reason}") from error
            raise
