"""`coachbot run`: the configured platforms, the HTTP server and the scheduler in one event loop."""

from __future__ import annotations

import asyncio
import importlib
import logging
import signal
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from coachbot.bootstrap import App
from coachbot.platform import PlatformAdapter
from coachbot.settings import SettingsError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlatformSpec:
    variable: str
    module: str
    extra: str


PLATFORMS = (
    PlatformSpec("TELEGRAM_BOT_TOKEN", "coachbot_telegram", "telegram"),
    PlatformSpec("SLACK_BOT_TOKEN", "coachbot_slack", "slack"),
)


class AdapterFactory(Protocol):
    def __call__(self, app: App, env: Mapping[str, str]) -> PlatformAdapter: ...


def configured(env: Mapping[str, str]) -> list[PlatformSpec]:
    return [spec for spec in PLATFORMS if env.get(spec.variable)]


def load_adapters(app: App, env: Mapping[str, str]) -> list[PlatformAdapter]:
    adapters = []
    for spec in configured(env):
        try:
            module = importlib.import_module(spec.module)
        except ImportError as exc:
            raise SettingsError(
                f"{spec.variable} is set, but the {spec.extra} support is not installed: "
                f"pip install 'coachbot[{spec.extra}]' ({exc})") from exc
        factory: AdapterFactory = module.create_adapter
        adapters.append(factory(app, env))
    return adapters


async def serve(app: App, env: Mapping[str, str], stop: asyncio.Event | None = None) -> None:
    """Run until SIGTERM/SIGINT (or `stop` is set), then shut down without losing a claimed send."""
    from coachbot.dashboard.web import dashboard_routes
    from coachbot.http import HttpServer

    adapters = load_adapters(app, env)
    scheduler = app.scheduler({adapter.platform: adapter.messenger for adapter in adapters})
    routes = [route for adapter in adapters for route in adapter.routes()] + dashboard_routes(app)
    server = HttpServer(routes, app.settings.http_host, app.settings.http_port)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    wake: set[asyncio.Task[None]] = set()

    def tick_now() -> None:  # a mentor's push goes out now, not at the next tick
        task = loop.create_task(scheduler.tick())
        wake.add(task)
        task.add_done_callback(wake.discard)

    app.coach.queued_listeners.append(tick_now)
    await server.start()
    started: list[PlatformAdapter] = []
    try:
        for adapter in adapters:
            await adapter.start()
            started.append(adapter)
        await scheduler.start()
        log.info("coachbot is running: %s; HTTP on %s:%d",
                 ", ".join(a.platform for a in adapters), server.host, server.port)
        await stop.wait()
        log.info("shutting down: finishing sends in flight")
    finally:
        await scheduler.stop()
        for adapter in reversed(started):
            await adapter.stop()
        await server.stop()
        await app.close()
