"""Telegram settings: each bad value is named, with what it should look like."""

from __future__ import annotations

import pytest
from coachbot_telegram import create_adapter
from coachbot_telegram.config import DEFAULT_API_BASE_URL, TelegramConfig

from coachbot.bootstrap import App
from coachbot.settings import SettingsError
from tests.adapters.fake_telegram import TOKEN, FakeBotApi


def test_defaults_are_long_polling_against_telegram() -> None:
    config = TelegramConfig.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert config.api_base_url == DEFAULT_API_BASE_URL == "https://api.telegram.org/bot"
    assert config.webhook_url is None


def test_the_webhook_secret_is_stable_unless_chosen() -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_URL": "https://coach.example.org"}
    first, again = TelegramConfig.from_env(env), TelegramConfig.from_env(env)
    assert first.webhook_secret == again.webhook_secret and TOKEN not in first.webhook_secret
    assert first.webhook_path == "/telegram/webhook"  # a bare host gets the default path
    chosen = TelegramConfig.from_env({**env, "TELEGRAM_WEBHOOK_SECRET": "my-own_secret"})
    assert chosen.webhook_secret == "my-own_secret"


@pytest.mark.parametrize(("variable", "value", "hint"), [
    ("TELEGRAM_BOT_TOKEN", "not-a-token", "the token BotFather gave you"),
    ("TELEGRAM_API_BASE_URL", "localhost:8081/bot", "an http(s) URL"),
    ("TELEGRAM_WEBHOOK_URL", "coach.example.org/hook", "an http(s) URL"),
    ("TELEGRAM_WEBHOOK_SECRET", "has spaces in it", "A-Z, a-z, 0-9, _ and -"),
])
def test_bad_values_name_the_variable(variable: str, value: str, hint: str) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, variable: value}
    with pytest.raises(SettingsError) as raised:
        TelegramConfig.from_env(env)
    assert variable in str(raised.value) and hint in str(raised.value)


async def test_a_token_telegram_refuses_stops_the_start_with_its_name(fake: FakeBotApi, app: App) -> None:
    adapter = create_adapter(app, {"TELEGRAM_BOT_TOKEN": "123:wrong-token",
                                   "TELEGRAM_API_BASE_URL": fake.base_url})
    with pytest.raises(SettingsError) as raised:
        await adapter.start()
    assert "TELEGRAM_BOT_TOKEN" in str(raised.value) and "refused" in str(raised.value)
    assert "wrong-token" not in str(raised.value)  # never print a token
    await adapter.stop()


async def test_an_unreachable_bot_api_names_the_base_url(app: App, unused_tcp_port: int) -> None:
    base = f"http://127.0.0.1:{unused_tcp_port}/bot"
    adapter = create_adapter(app, {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": base})
    with pytest.raises(SettingsError) as raised:
        await adapter.start()
    assert f"TELEGRAM_API_BASE_URL={base}" in str(raised.value)
    await adapter.stop()
