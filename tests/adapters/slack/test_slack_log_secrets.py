"""`coachbot run` with Slack at COACHBOT_LOG_LEVEL=DEBUG: no token or signing secret in the log,
and message text only when COACHBOT_LOG_MESSAGES=1 asks for it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp
import pytest

from tests.adapters.running import clean_env, coachbot_run
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.kit import ANN, SECRET, dm_event, dm_of, event_body, signed

WAIT = 30
TOKEN = "xoxb-1234-run-test-token"
DIARY = "my very private diary entry"


async def post(port: int, body: str, headers: dict[str, str]) -> int:
    async with aiohttp.ClientSession() as session, session.post(
            f"http://127.0.0.1:{port}/slack/events", data=body,
            headers={"Content-Type": "application/json", **headers}) as answer:
        return answer.status


@pytest.mark.parametrize("messages", ["", "1"])
async def test_the_debug_log_holds_no_token_or_secret_and_text_only_when_asked(
        fake: FakeSlack, tmp_path: Path, messages: str) -> None:
    env = clean_env({"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
                     "SLACK_API_URL": fake.api_url, "COACHBOT_DATA_DIR": str(tmp_path),
                     "COACHBOT_LOG_LEVEL": "DEBUG", "COACHBOT_LOG_MESSAGES": messages})
    body = json.dumps(event_body(dm_event(ANN, DIARY)))
    async with coachbot_run(env, WAIT) as running:
        async with asyncio.timeout(WAIT):
            assert await post(running.port, body, signed(body, secret="forged")) == 401
            assert await post(running.port, body, signed(body)) == 200
            await fake.wait_for("chat.postMessage")
        assert await running.stop(WAIT) == 0, running.text
    assert fake.posts(dm_of(ANN))
    assert (DIARY in running.text) == bool(messages)
    assert TOKEN not in running.text and SECRET not in running.text
    assert running.text.count("Slack request refused") == 1  # the forged one, without its body
