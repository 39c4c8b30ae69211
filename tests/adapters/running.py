"""`coachbot run` as a real child process: start it, learn its HTTP port, stop it with SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field

import aiohttp

from tests.conftest import FIXTURE_ENV

RUNNING = re.compile(r"coachbot is running: [\w, ]+; HTTP on [\d.]+:(\d+)")
STARTING = re.compile(r"coachbot is starting: HTTP on [\d.]+:(\d+)")
WAIT = 60.0


def clean_env(extra: Mapping[str, str]) -> dict[str, str]:
    """This environment without any coachbot or platform settings, on the fixture curriculum with
    the lexical FAQ matcher (these tests are about the process, not the FAQ), plus `extra`."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("COACHBOT_", "TELEGRAM_", "SLACK_"))}
    return {**keep, "COACHBOT_HTTP_HOST": "127.0.0.1", "COACHBOT_HTTP_PORT": "0", **FIXTURE_ENV, **extra}


@dataclass
class Running:
    process: asyncio.subprocess.Process
    port: int
    log: list[str] = field(default_factory=list)
    reader: asyncio.Task[None] | None = None

    async def stop(self, wait: float) -> int:
        """SIGTERM, then the exit code once the process and its log have ended."""
        self.process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(wait):
            code = await self.process.wait()
            if self.reader is not None:
                await self.reader
        return code

    @property
    def text(self) -> str:
        return "".join(self.log)

    async def get(self, path: str) -> tuple[int, dict[str, object]]:
        async with aiohttp.ClientSession() as session, \
                session.get(f"http://127.0.0.1:{self.port}{path}") as answer:
            return answer.status, json.loads(await answer.text())

    async def until_logged(self, phrase: str, wait: float = WAIT) -> None:
        async with asyncio.timeout(wait):
            while phrase not in self.text:
                await asyncio.sleep(0.05)

    async def until_ready(self, wait: float = WAIT) -> None:
        async with asyncio.timeout(wait):
            while (await self.get("/readyz"))[0] != 200:
                await asyncio.sleep(0.1)


@asynccontextmanager
async def coachbot_run(env: Mapping[str, str], wait: float = WAIT,
                       port_from: re.Pattern[str] = RUNNING) -> AsyncIterator[Running]:
    """Start `coachbot run`; yields once a log line matching `port_from` gives its HTTP port
    (by default: once it logs that it is running; STARTING: as soon as HTTP is up)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "coachbot", "run", env=dict(env),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    log: list[str] = []
    port: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def read_log() -> None:
        assert process.stderr is not None
        async for raw in process.stderr:
            line = raw.decode(errors="replace")
            log.append(line)
            found = port_from.search(line)
            if found and not port.done():
                port.set_result(int(found.group(1)))
        if not port.done():
            port.set_exception(AssertionError("coachbot run ended before it ran:\n" + "".join(log)))

    reader = asyncio.create_task(read_log())
    try:
        async with asyncio.timeout(wait):
            http_port = await port
        yield Running(process, http_port, log, reader)
    finally:
        if process.returncode is None:
            process.terminate()
            with suppress(TimeoutError):
                async with asyncio.timeout(20):
                    await process.wait()
        if process.returncode is None:
            process.kill()
            await process.wait()
        await reader
