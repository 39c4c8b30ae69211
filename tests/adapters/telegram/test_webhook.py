"""Webhook mode: Telegram posts updates to the shared HTTP server, with the secret header."""

from __future__ import annotations

import aiohttp

from tests.adapters.telegram.conftest import WEBHOOK_SECRET, WEBHOOK_URL, Harness, texts, user

HOOK_PATH = "/telegram/hook"


async def test_the_webhook_is_registered_with_a_secret_and_polling_stays_off(webhook: Harness) -> None:
    registered = webhook.fake.webhook
    assert registered["url"] == WEBHOOK_URL
    assert registered["secret_token"] == WEBHOOK_SECRET
    assert {"message", "callback_query", "my_chat_member"} <= set(registered["allowed_updates"])
    assert webhook.fake.calls_to("getUpdates") == []
    assert webhook.adapter.config.webhook_path == HOOK_PATH


async def test_updates_without_the_secret_are_refused(webhook: Harness) -> None:
    fake = webhook.fake
    ann = user(1001, "Ann")
    start = fake.message_update(ann, {"id": 1001, "type": "private", "first_name": "Ann"}, "/start")
    assert await webhook.post(start, secret=None) == 403
    assert await webhook.post(start, secret="guessed-wrong") == 403
    assert await webhook.post(b"{not json", secret=WEBHOOK_SECRET) == 400
    assert await webhook.post([1, 2], secret=WEBHOOK_SECRET) == 400
    assert fake.calls_to("sendMessage") == []  # nothing was acted on

    await webhook.run(start)  # with the secret
    assert "What brings you here?" in texts(fake.sent(1001))


async def test_buttons_work_over_the_webhook_too(webhook: Harness) -> None:
    ann = webhook.person(1001, "Ann")
    welcome = (await ann.say("/start"))[-1]
    asked = await ann.press(welcome, "A small business")
    assert "Noted: A small business." in texts(asked)
    assert webhook.fake.calls_to("answerCallbackQuery")


async def test_the_same_server_answers_healthz_and_refuses_updates_once_stopping(webhook: Harness) -> None:
    assert webhook.server is not None
    url = f"http://127.0.0.1:{webhook.server.port}/healthz"
    async with aiohttp.ClientSession() as session, session.get(url) as answer:
        assert answer.status == 200 and (await answer.json()) == {"status": "ok"}
    await webhook.adapter.stop()
    ann = user(1001, "Ann")
    late = webhook.fake.message_update(ann, {"id": 1001, "type": "private", "first_name": "Ann"}, "/help")
    assert await webhook.post(late) == 503  # Telegram keeps it and delivers it again later
