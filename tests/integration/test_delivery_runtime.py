"""`coachbot run` heals by itself: a database or a platform that is not there at start-up is
waited for (with /readyz saying so), and a refusal that waiting cannot fix stops it at once."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url

from tests.adapters.fake_telegram import TOKEN, FakeBotApi
from tests.adapters.running import STARTING, WAIT, clean_env, coachbot_run
from tests.adapters.telegram.conftest import fake
from tests.delivery_kit import Gate

__all__ = ["fake"]  # the fake Bot API fixture


async def healthcheck(port: int) -> int:
    """`coachbot healthcheck`, as compose.yaml and the Dockerfile run it, for this port."""
    env = clean_env({"COACHBOT_HTTP_PORT": str(port)})
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "coachbot", "healthcheck", env=env,
                                                   stdout=asyncio.subprocess.DEVNULL)
    return await asyncio.wait_for(process.wait(), WAIT)


def telegram_env(fake_url: str, database_url: str, tmp_path: Path) -> dict[str, str]:
    return clean_env({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake_url,
                      "COACHBOT_DATABASE_URL": database_url, "COACHBOT_DATA_DIR": str(tmp_path),
                      "COACHBOT_STARTUP_RETRY_SECONDS": "0.3", "PTB_TIMEDELTA": "true"})


async def answered(fake: FakeBotApi, user_id: int) -> str:
    """Someone writes /start; the coach's first answer to them."""
    person = {"id": user_id, "is_bot": False, "first_name": "Ann", "language_code": "en"}
    fake.feed(fake.message_update(person, {"id": user_id, "type": "private", "first_name": "Ann"},
                                  "/start"))
    async with asyncio.timeout(WAIT):
        while not fake.sent(user_id):
            await asyncio.sleep(0.05)
    return str(fake.sent(user_id)[0]["text"])


@asynccontextmanager
async def database_down(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[str, Gate | Path]]:
    """A database URL that does not work yet: PostgreSQL behind a closed gate, or a SQLite file
    whose folder cannot be made (a file stands where it should be, like a missing volume)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        blocker = tmp_path / "volume"
        blocker.write_text("not a folder")
        yield f"sqlite+aiosqlite:///{blocker / 'coachbot.db'}", blocker
        return
    gate = Gate(url.port or 5432, url.host or "127.0.0.1")
    try:
        yield url.set(port=gate.port).render_as_string(hide_password=False), gate
    finally:
        await gate.close()


async def bring_back(down: Gate | Path) -> None:
    if isinstance(down, Gate):
        await down.open()
    else:
        down.unlink()


async def test_run_waits_for_a_database_that_is_not_there_yet_then_serves(
        fake: FakeBotApi, database_url: str, tmp_path: Path) -> None:
    async with database_down(database_url, tmp_path) as (url, down), \
            coachbot_run(telegram_env(fake.base_url, url, tmp_path), port_from=STARTING) as running:
        await running.until_logged("waiting for the database")
        live, body = await running.get("/healthz")
        ready, why = await running.get("/readyz")
        assert (live, body) == (200, {"status": "ok"})  # alive, only not ready
        assert ready == 503 and "database" in why["waiting_for"]  # type: ignore[operator]
        assert "Traceback" not in running.text
        assert await healthcheck(running.port) == 1  # what the container's health check runs

        await bring_back(down)
        await running.until_ready()
        assert await healthcheck(running.port) == 0
        await running.until_logged("coachbot is running: telegram")
        assert "What brings you here?" in await answered(fake, 1001)


async def test_run_waits_for_a_bot_api_that_cannot_be_reached_yet(
        fake: FakeBotApi, database_url: str, tmp_path: Path) -> None:
    api_port = urlsplit(fake.base_url).port or 80
    gate = Gate(api_port)
    api_url = fake.base_url.replace(f":{api_port}/", f":{gate.port}/")
    try:
        async with coachbot_run(telegram_env(api_url, database_url, tmp_path), port_from=STARTING) as running:
            await running.until_logged("waiting for telegram")
            ready, why = await running.get("/readyz")
            assert ready == 503 and "telegram" in why["waiting_for"]  # type: ignore[operator]
            await gate.open()
            await running.until_ready()
            assert "What brings you here?" in await answered(fake, 1002)
            assert TOKEN not in running.text
    finally:
        await gate.close()


async def test_run_waits_for_a_bot_api_that_answers_with_server_errors(
        fake: FakeBotApi, database_url: str, tmp_path: Path) -> None:
    fake.fail("getMe", 502, "Bad Gateway", times=3)  # a 5xx means "try later", not a bad token
    async with coachbot_run(telegram_env(fake.base_url, database_url, tmp_path),
                            port_from=STARTING) as running:
        await running.until_logged("waiting for telegram")
        ready, why = await running.get("/readyz")
        assert ready == 503 and "Bad Gateway" in str(why["waiting_for"])
        await running.until_ready()
        assert running.process.returncode is None
        assert "What brings you here?" in await answered(fake, 1003)
        assert "Traceback" not in running.text


async def test_readiness_follows_a_platform_lost_and_back_after_start(
        fake: FakeBotApi, database_url: str, tmp_path: Path) -> None:
    api_port = urlsplit(fake.base_url).port or 80
    gate = Gate(api_port)
    await gate.open()
    api_url = fake.base_url.replace(f":{api_port}/", f":{gate.port}/")
    try:
        async with coachbot_run(telegram_env(api_url, database_url, tmp_path)) as running:
            await running.until_ready()
            await gate.close()  # Telegram is gone while the bot runs
            async with asyncio.timeout(WAIT):
                while (answer := await running.get("/readyz"))[0] != 503:
                    await asyncio.sleep(0.1)
            assert "telegram" in answer[1]["waiting_for"]  # type: ignore[operator]
            assert await healthcheck(running.port) == 1
            assert (await running.get("/healthz"))[0] == 200  # alive: nothing to restart for
            await gate.open()
            await running.until_ready()
            assert "What brings you here?" in await answered(fake, 1004)
    finally:
        await gate.close()


async def test_a_token_the_platform_refuses_stops_at_once_with_one_line(
        fake: FakeBotApi, database_url: str, tmp_path: Path) -> None:
    env = telegram_env(fake.base_url, database_url, tmp_path)
    env["TELEGRAM_BOT_TOKEN"] = "123456:wrong-token-for-the-fake"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "coachbot", "run", env=env, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(process.communicate(), WAIT)
    lines = [line for line in err.decode().splitlines() if "TELEGRAM_BOT_TOKEN" in line]
    assert process.returncode == 2
    assert lines == ["coachbot: TELEGRAM_BOT_TOKEN: Telegram refused the token; copy it again from "
                     "BotFather (/mybots, API Token)"]
