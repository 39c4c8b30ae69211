"""`coachbot run` at COACHBOT_LOG_LEVEL=DEBUG: no token or secret in the log, and message text
only when COACHBOT_LOG_MESSAGES=1 asks for it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp
import pytest

from tests.adapters.fake_telegram import TOKEN, FakeBotApi
from tests.adapters.running import clean_env, coachbot_run
from tests.adapters.telegram.conftest import WAIT, private, user

HOOK_SECRET = "hook-Secret_0123456789"
DIARY = "my very private diary entry"


async def post(port: int, update: dict[str, object]) -> int:
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    async with aiohttp.ClientSession() as session, session.post(
            url, data=json.dumps(update), headers={"X-Telegram-Bot-Api-Secret-Token": HOOK_SECRET}) as answer:
        return answer.status


@pytest.mark.parametrize("messages", ["", "1"])
async def test_the_debug_log_holds_no_token_or_secret_and_text_only_when_asked(
        fake: FakeBotApi, tmp_path: Path, messages: str) -> None:
    env = clean_env({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url,
                     "TELEGRAM_WEBHOOK_URL": "https://coach.example.org/telegram/webhook",
                     "TELEGRAM_WEBHOOK_SECRET": HOOK_SECRET, "COACHBOT_LOG_LEVEL": "DEBUG",
                     "COACHBOT_LOG_MESSAGES": messages, "COACHBOT_DATA_DIR": str(tmp_path),
                     "PTB_TIMEDELTA": "true"})
    ann = user(1001, "Ann")
    async with coachbot_run(env, WAIT * 2) as running:
        async with asyncio.timeout(WAIT * 2):
            assert await post(running.port, fake.message_update(ann, private(ann), "/start")) == 200
            assert await post(running.port, fake.message_update(ann, private(ann), DIARY)) == 200
            while len(fake.sent(1001)) < 2:
                await asyncio.sleep(0.05)
        assert await running.stop(WAIT * 2) == 0, running.text
    assert fake.webhook["secret_token"] == HOOK_SECRET  # it was sent, and logged nowhere
    assert TOKEN not in running.text and HOOK_SECRET not in running.text
    assert (DIARY in running.text) == bool(messages)
