"""The process's one HTTP server: platform webhooks and /healthz, on one host and port.

aiohttp comes with the platform extras; this module is imported only when a platform runs.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

from coachbot.platform import Route
from coachbot.settings import SettingsError


async def _health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


class HttpServer:
    def __init__(self, routes: Sequence[Route], host: str, port: int) -> None:
        app = web.Application()
        app.router.add_get("/healthz", _health)
        for route in routes:
            app.router.add_route(route.method, route.path, route.handler)
        self._runner = web.AppRunner(app, access_log=None)
        self.host, self.port = host, port

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
