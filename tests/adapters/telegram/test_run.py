"""`coachbot run` with Telegram configured: a real process against the fake Bot API."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from tests.adapters.fake_telegram import TOKEN, FakeBotApi
from tests.adapters.running import clean_env, coachbot_run
from tests.adapters.telegram.conftest import WAIT, private, user


async def test_coachbot_run_serves_telegram_and_stops_cleanly_on_sigterm(
        fake: FakeBotApi, tmp_path: Path) -> None:
    env = clean_env({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url,
                     "COACHBOT_DATA_DIR": str(tmp_path), "PTB_TIMEDELTA": "true"})
    async with coachbot_run(env, WAIT * 2) as running:
        async with asyncio.timeout(WAIT * 2):
            async with aiohttp.ClientSession() as session, \
                    session.get(f"http://127.0.0.1:{running.port}/healthz") as answer:
                assert answer.status == 200
            ann = user(1001, "Ann")
            fake.feed(fake.message_update(ann, private(ann), "/start"))
            while not fake.sent(1001):
                await asyncio.sleep(0.05)
        assert "What brings you here?" in fake.sent(1001)[0]["text"]
        assert fake.calls_to("setMyCommands") and fake.calls_to("deleteWebhook")

        code = await running.stop(WAIT * 2)
        assert code == 0, running.text
        assert TOKEN not in running.text  # request URLs carry the token: they stay out of the log
        assert (tmp_path / "coachbot.db").exists()
