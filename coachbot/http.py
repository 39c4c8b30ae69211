"""The process's one HTTP server: platform webhooks, health checks and metrics, on one port.

- `GET /healthz`: liveness. 200 while the process runs and answers, whatever it waits for;
  a liveness probe restarts the process when this fails.
- `GET /readyz`: readiness. 200 when the database answers and every platform is connected
  and still answers (and Redis, when configured); 503 with the reasons otherwise. Take a worker out of a load
  balancer, or hold back a deployment, while this fails; do not restart for it.
- `GET /metrics`: the Prometheus text format.

aiohttp comes with the platform extras; this module is imported only when a platform runs.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from aiohttp import web

from coachbot import metrics
from coachbot.platform import Route
from coachbot.settings import SettingsError

CHECK_TIMEOUT = 3.0
Check = Callable[[], Awaitable[str | None]]  # None when fine, else what is wrong


@dataclass
class Health:
    """What readiness depends on: live checks (the database, Redis) and platforms' states."""

    checks: dict[str, Check] = field(default_factory=dict)
    platforms: dict[str, str | None] = field(default_factory=dict)  # None once connected
    refresh: list[Callable[[], Awaitable[None]]] = field(default_factory=list)  # before /metrics

    def waiting_for(self, platform: str, why: str) -> None:
        self.platforms[platform] = why

    def connected(self, platform: str, check: Check | None = None) -> None:
        """Connected; from now on readiness asks `check` whether it still is."""
        self.platforms[platform] = None
        if check is not None:
            self.checks[platform] = check

    async def problems(self) -> dict[str, str]:
        found = {name: why for name, why in self.platforms.items() if why is not None}
        names = list(self.checks)
        results = await asyncio.gather(*(self._run(self.checks[name]) for name in names))
        found.update({name: why for name, why in zip(names, results, strict=True) if why is not None})
        return found

    @staticmethod
    async def _run(check: Check) -> str | None:
        try:
            return await asyncio.wait_for(check(), CHECK_TIMEOUT)
        except TimeoutError:
            return f"no answer within {CHECK_TIMEOUT:g} s"
        except Exception as error:
            return f"{type(error).__name__}: {error}"[:300]


class HttpServer:
    def __init__(self, routes: Sequence[Route], host: str, port: int, health: Health | None = None) -> None:
        self.health = health or Health()
        app = web.Application()
        app.router.add_get("/healthz", self._live)
        app.router.add_get("/readyz", self._ready)
        app.router.add_get("/metrics", self._metrics)
        for route in routes:
            app.router.add_route(route.method, route.path, route.handler)
        self._runner = web.AppRunner(app, access_log=None)
        self.host, self.port = host, port

    async def _live(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _ready(self, request: web.Request) -> web.Response:
        problems = await self.health.problems()
        if problems:
            return web.json_response({"status": "not ready", "ready": False, "waiting_for": problems},
                                     status=503)
        return web.json_response({"status": "ready", "ready": True})

    async def _metrics(self, request: web.Request) -> web.Response:
        for refresh in self.health.refresh:
            with contextlib.suppress(Exception):  # the figures of the last good scrape stay
                await asyncio.wait_for(refresh(), CHECK_TIMEOUT)
        body, content_type = metrics.render()
        response = web.Response(body=body)
        response.headers["Content-Type"] = content_type
        return response

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError as exc:  # port in use, or a host this machine has no address for
            await self._runner.cleanup()
            reason = exc.strerror or str(exc)
            raise SettingsError(f"COACHBOT_HTTP_HOST={self.host} COACHBOT_HTTP_PORT={self.port}: "
                                f"cannot listen there ({reason})") from None
        if self.port == 0:  # an ephemeral port (tests): report the one the OS picked
            for address in self._runner.addresses:
                self.port = int(address[1])
                break

    async def stop(self) -> None:
        await self._runner.cleanup()
