"""`coachbot run`: the configured platforms, the HTTP server and the scheduler in one event loop.

Start-up never needs a human. The HTTP server comes up first (`/healthz` answers, `/readyz`
says what is missing); then the process waits for the database (and, on SQLite, upgrades its
schema; on PostgreSQL it waits for `coachbot db upgrade` to have run) and for each platform,
trying again every few seconds with one log line per attempt. What cannot get better by
waiting (a token the platform refuses, a bad setting) stops it at once with one line and
exit code 2. Later outages (the database going away for a while) are ridden out by the
scheduler, which tries again on every tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Mapping
from functools import partial

from sqlalchemy import text

from coachbot.bootstrap import App, build
from coachbot.delivery.ports import RateLimited, TransientError
from coachbot.logs import configure
from coachbot.platform import PlatformAdapter, configured
from coachbot.settings import Settings
from coachbot.store import outbox
from coachbot.store.database import is_sqlite, schema_problem, shown_url, upgrade

log = logging.getLogger(__name__)
MAX_RETRY_SECONDS = 60.0


def load_adapters(app: App, env: Mapping[str, str]) -> list[PlatformAdapter]:
    """The adapters of the installed platforms whose setting is present."""
    return [profile.load()(app, env) for profile in configured(env)]


def main(settings: Settings, env: Mapping[str, str]) -> int:
    """`coachbot run` from the command line, with settings already read and checked."""
    configure(settings.log_format, settings.log_level)
    asyncio.run(serve(build(settings), env))
    return 0


def unreachable(error: BaseException) -> bool:
    """Whether waiting may help: somewhere in the chain, a connection failed or timed out, or
    the other side answered "not now" (a platform's 5xx or 429, as the delivery port's errors)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, OSError | TimeoutError | TransientError | RateLimited):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:300]


class Startup:
    """Waiting for what the process needs, one log line per try, until it answers or we stop."""

    def __init__(self, app: App, stop: asyncio.Event) -> None:
        self.app = app
        self.stop = stop
        self.first = app.settings.startup_retry_seconds

    async def until(self, what: str, attempt: Callable[[], Awaitable[str | None]],
                    waiting: Callable[[str], None] = lambda why: None) -> bool:
        """Run `attempt` (None: done; else why not yet) until it succeeds; False if stopped."""
        delay = self.first
        while not self.stop.is_set():
            why = await attempt()
            if why is None:
                return True
            waiting(why)
            log.warning("waiting for %s: %s; trying again in %gs", what, why, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), delay)
            delay = min(delay * 2, MAX_RETRY_SECONDS)
        return False

    async def database(self) -> str | None:
        url = self.app.settings.database_url
        try:
            if is_sqlite(url):
                await asyncio.to_thread(upgrade, url)  # the embedded database upgrades itself
                return None
            return await schema_problem(self.app.engine, url)
        except Exception as error:
            if not unreachable(error) and not is_database_error(error):
                raise
            return f"the database at {shown_url(url)} does not answer ({describe(error)})"

    def platform(self, adapter: PlatformAdapter) -> Callable[[], Awaitable[str | None]]:
        async def attempt() -> str | None:
            try:
                await adapter.start()
            except Exception as error:
                if not unreachable(error):
                    raise  # refused (a bad token, a bad setting): waiting will not help
                return f"{adapter.platform} is not available ({describe(error)})"
            return None
        return attempt


async def quietly(step: Callable[[], Awaitable[None]]) -> None:
    try:
        await step()
    except Exception as error:
        log.debug("ignored while stopping: %s", describe(error))


def is_database_error(error: BaseException) -> bool:
    from sqlalchemy.exc import DBAPIError

    return isinstance(error, DBAPIError)


def database_check(app: App) -> Callable[[], Awaitable[str | None]]:
    async def check() -> str | None:
        async with app.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return None
    return check


def outbox_gauge(app: App) -> Callable[[], Awaitable[None]]:
    from coachbot import metrics

    async def refresh() -> None:
        async with app.sessions() as session:
            for status, count in (await outbox.counts(session)).items():
                metrics.OUTBOX_ROWS.labels(status).set(count)
    return refresh


async def serve(app: App, env: Mapping[str, str], stop: asyncio.Event | None = None) -> None:
    """Run until SIGTERM/SIGINT (or `stop` is set), then shut down without losing a claimed send."""
    from coachbot.dashboard.web import dashboard_routes
    from coachbot.http import Health, HttpServer

    adapters = load_adapters(app, env)
    scheduler = app.scheduler({adapter.platform: adapter.messenger for adapter in adapters})
    health = Health(checks={"database": database_check(app)}, refresh=[outbox_gauge(app)])
    ping = getattr(app.throttles.budget, "ping", None)
    if ping is not None:
        async def redis_check() -> str | None:
            return None if await ping() else "Redis does not answer (rate limits are paced locally)"
        health.checks["redis"] = redis_check
    for adapter in adapters:
        health.waiting_for(adapter.platform, "not connected yet")
    routes = [route for adapter in adapters for route in adapter.routes()] + dashboard_routes(app)
    server = HttpServer(routes, app.settings.http_host, app.settings.http_port, health=health)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await server.start()
    log.info("coachbot is starting: HTTP on %s:%d (ready once the database and the platforms answer)",
             server.host, server.port)
    startup = Startup(app, stop)
    started: list[PlatformAdapter] = []
    trying: PlatformAdapter | None = None
    try:
        if not await startup.until("the database", startup.database):
            return
        for trying in adapters:
            if not await startup.until(trying.platform, startup.platform(trying),
                                       partial(health.waiting_for, trying.platform)):
                return
            started.append(trying)
            health.connected(trying.platform, trying.connection_problem)
        trying = None
        await scheduler.start()
        log.info("coachbot is running: %s; HTTP on %s:%d",
                 ", ".join(a.platform for a in adapters), server.host, server.port)
        await stop.wait()
        log.info("shutting down: finishing sends in flight")
    finally:
        await scheduler.stop()
        for adapter in reversed(started):
            await adapter.stop()
        if trying is not None:  # stopped while it was still trying to connect
            await quietly(trying.stop)
        await server.stop()
        await app.close()
