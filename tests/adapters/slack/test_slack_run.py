"""`coachbot run` with Slack configured: a real process, HTTP mode, against the fake Web API."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp

from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.kit import ANN, SECRET, dm_of, signed

RUNNING = re.compile(r"coachbot is running: slack; HTTP on [\d.]+:(\d+)")
WAIT = 30


def run_env(fake: FakeSlack, data_dir: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("COACHBOT_", "TELEGRAM_", "SLACK_"))}
    return {**keep, "SLACK_BOT_TOKEN": "xoxb-run-test", "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.api_url, "COACHBOT_HTTP_HOST": "127.0.0.1",
            "COACHBOT_HTTP_PORT": "0", "COACHBOT_DATA_DIR": str(data_dir),
            "COACHBOT_FAQ_LEXICAL": "1"}  # this test is about the process, not FAQ matching


async def slash_help(port: int) -> int:
    body = ("command=%2Fcoach&text=help&user_id=UANN&user_name=ann&channel_id=DANN"
            "&channel_name=directmessage&team_id=T0TEAM&response_url=http%3A%2F%2F127.0.0.1%2Fr"
            "&trigger_id=t")
    headers = {"Content-Type": "application/x-www-form-urlencoded", **signed(body)}
    async with aiohttp.ClientSession() as session, session.post(
            f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers) as answer:
        return answer.status


async def test_coachbot_run_serves_slack_and_stops_cleanly_on_sigterm(
        fake: FakeSlack, tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "coachbot", "run", env=run_env(fake, tmp_path),
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
        async with asyncio.timeout(WAIT):
            http_port = await port
            async with aiohttp.ClientSession() as session, \
                    session.get(f"http://127.0.0.1:{http_port}/healthz") as health:
                assert health.status == 200 and (await health.json())["status"] == "ok"
            assert await slash_help(http_port) == 200
            posted = await fake.wait_for("chat.postMessage")
        assert posted[0].args["channel"] == dm_of(ANN)
        assert "Here is what I understand" in posted[0].args["text"]
        assert posted[0].args["blocks"][0]["type"] == "section"  # a Block Kit message

        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(WAIT):
            code = await process.wait()
            await reader
        assert code == 0, "".join(log)
        assert (tmp_path / "coachbot.db").exists()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
