"""`coachbot run` with Slack configured: a real process, HTTP mode, against the fake Web API."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from tests.adapters.running import clean_env, coachbot_run
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.kit import ANN, SECRET, dm_of, signed
from tests.delivery_kit import Gate

WAIT = 120  # only a guard against a hang: a busy machine takes a minute to start a process


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
    env = clean_env({"SLACK_BOT_TOKEN": "xoxb-run-test", "SLACK_SIGNING_SECRET": SECRET,
                     "SLACK_API_URL": fake.api_url, "COACHBOT_DATA_DIR": str(tmp_path)})
    async with coachbot_run(env, WAIT) as running:
        async with asyncio.timeout(WAIT):
            async with aiohttp.ClientSession() as session, \
                    session.get(f"http://127.0.0.1:{running.port}/healthz") as health:
                assert health.status == 200 and (await health.json())["status"] == "ok"
            assert await slash_help(running.port) == 200
            posted = await fake.wait_for("chat.postMessage")
        assert posted[0].args["channel"] == dm_of(ANN)
        assert "Here is what I understand" in posted[0].args["text"]
        assert posted[0].args["blocks"][0]["type"] == "section"  # a Block Kit message

        assert await running.stop(WAIT) == 0, running.text
        assert (tmp_path / "coachbot.db").exists()


async def test_coachbot_run_waits_for_slack_while_it_answers_with_server_errors(
        fake: FakeSlack, tmp_path: Path) -> None:
    fake.answer_error("auth.test", "internal_error", times=2, status=500)  # "try later"
    env = clean_env({"SLACK_BOT_TOKEN": "xoxb-run-test", "SLACK_SIGNING_SECRET": SECRET,
                     "SLACK_API_URL": fake.api_url, "COACHBOT_DATA_DIR": str(tmp_path),
                     "COACHBOT_STARTUP_RETRY_SECONDS": "0.2"})
    async with coachbot_run(env, WAIT) as running:
        assert running.text.count("waiting for slack") == 2
        assert await slash_help(running.port) == 200
        posted = await fake.wait_for("chat.postMessage")
        assert "Here is what I understand" in posted[0].args["text"]
        assert await running.stop(WAIT) == 0, running.text


async def ready(port: int) -> tuple[int, dict[str, object]]:
    async with aiohttp.ClientSession() as session, \
            session.get(f"http://127.0.0.1:{port}/readyz") as answer:
        return answer.status, await answer.json()


async def test_readiness_follows_slack_lost_and_back_after_start(fake: FakeSlack, tmp_path: Path) -> None:
    gate = Gate(fake.port)
    await gate.open()
    env = clean_env({"SLACK_BOT_TOKEN": "xoxb-run-test", "SLACK_SIGNING_SECRET": SECRET,
                     "SLACK_API_URL": f"http://127.0.0.1:{gate.port}/api/",
                     "COACHBOT_DATA_DIR": str(tmp_path)})
    try:
        async with coachbot_run(env, WAIT) as running:
            async with asyncio.timeout(WAIT):
                while (await ready(running.port))[0] != 200:
                    await asyncio.sleep(0.1)
            await gate.close()  # Slack is gone while the bot runs
            async with asyncio.timeout(WAIT):
                while (answer := await ready(running.port))[0] != 503:
                    await asyncio.sleep(0.1)
            assert "slack" in answer[1]["waiting_for"]  # type: ignore[operator]
            await gate.open()
            async with asyncio.timeout(WAIT):
                while (await ready(running.port))[0] != 200:
                    await asyncio.sleep(0.1)
            assert await running.stop(WAIT) == 0, running.text
    finally:
        await gate.close()
