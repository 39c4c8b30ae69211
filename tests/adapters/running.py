"""`coachbot run` as a real child process: start it, learn its HTTP port, stop it with SIGTERM."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from tests.conftest import FIXTURE_ENV

RUNNING = re.compile(r"coachbot is running: [\w, ]+; HTTP on [\d.]+:(\d+)")


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


@asynccontextmanager
async def coachbot_run(env: Mapping[str, str], wait: float) -> AsyncIterator[Running]:
    """Start `coachbot run`; yields once it logs that it is running (with its port)."""
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
            found = RUNNING.search(line)
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
            process.kill()
            await process.wait()
