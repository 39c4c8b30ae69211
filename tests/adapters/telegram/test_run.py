"""`coachbot run` with Telegram configured: a real process against the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp

from tests.adapters.fake_telegram import TOKEN, FakeBotApi
from tests.adapters.telegram.conftest import WAIT, private, user

RUNNING = re.compile(r"coachbot is running: telegram; HTTP on [\d.]+:(\d+)")


def run_env(fake: FakeBotApi, data_dir: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("COACHBOT_", "TELEGRAM_", "SLACK_"))}
    return {**keep, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url,
            "COACHBOT_HTTP_HOST": "127.0.0.1", "COACHBOT_HTTP_PORT": "0",
            "COACHBOT_DATA_DIR": str(data_dir), "PTB_TIMEDELTA": "true",
            "COACHBOT_FAQ_LEXICAL": "1"}  # this test is about the process, not FAQ matching


async def test_coachbot_run_serves_telegram_and_stops_cleanly_on_sigterm(
        fake: FakeBotApi, tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "coachbot", "run", env=run_env(fake, tmp_path),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    assert process.stderr is not None
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
        async with asyncio.timeout(WAIT * 2):
            http_port = await port
            async with aiohttp.ClientSession() as session, \
                    session.get(f"http://127.0.0.1:{http_port}/healthz") as answer:
                assert answer.status == 200
            ann = user(1001, "Ann")
            fake.feed(fake.message_update(ann, private(ann), "/start"))
            while not fake.sent(1001):
                await asyncio.sleep(0.05)
        assert "Which track would you like to start with?" in fake.sent(1001)[0]["text"]
        assert fake.calls_to("setMyCommands") and fake.calls_to("deleteWebhook")

        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(WAIT * 2):
            code = await process.wait()
            await reader
        assert code == 0, "".join(log)
        assert TOKEN not in "".join(log)  # request URLs carry the token: they stay out of the log
        assert (tmp_path / "coachbot.db").exists()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
