"""The mentors' dashboard beside a terminal chat, so the demo's `dashboard` link opens.

Served on COACHBOT_HTTP_HOST/COACHBOT_HTTP_PORT when COACHBOT_PUBLIC_URL is set, as
`coachbot run` does; a push from the page is printed here when it is sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TextIO

from coachbot.settings import SettingsError

if TYPE_CHECKING:
    from coachbot.bootstrap import App


class Service(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class DashboardBeside:
    def __init__(self, app: App, out: TextIO) -> None:
        self.app = app
        self.out = out
        self.server: Service | None = None

    async def start(self) -> None:
        try:
            from coachbot.dashboard.web import dashboard_routes
            from coachbot.http import HttpServer
        except ImportError as exc:
            print(f"(The dashboard needs its extra: pip install 'coachbot[dashboard]' ({exc}).)",
                  file=self.out)
            return
        settings = self.app.settings
        server = HttpServer(dashboard_routes(self.app), settings.http_host, settings.http_port)
        try:
            await server.start()
        except SettingsError as exc:  # the port is taken: the chat goes on without the page
            print(f"(The dashboard could not start: {exc}. Set COACHBOT_HTTP_PORT to a free "
                  "port.)", file=self.out)
            return
        self.server = server
        print(f"(The mentors' dashboard is served at {self.app.settings.public_url}/dashboard; "
              "type dashboard in a group you mentor for a link.)", file=self.out)

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()
