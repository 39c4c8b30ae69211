"""The real Telegram adapter, running against the fake Bot API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from coachbot_console.simulated import advance
from coachbot_telegram import TelegramAdapter, create_adapter
from coachbot_telegram.adapter import SECRET_HEADER
from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from coachbot.bootstrap import App
from coachbot.clock import SimulatedClock
from coachbot.delivery.limits import PlatformLimits, Rate, Throttles
from coachbot.http import HttpServer
from coachbot.settings import Settings
from tests.adapters.fake_telegram import TOKEN, FakeBotApi, Json

MENTOR_ID = 5005  # named in the settings as a mentor, not an admin anywhere
WEBHOOK_URL = "https://coach.example.org/telegram/hook"
WEBHOOK_SECRET = "s3cret-Token_1"
# The real throttle, with room enough that tests never wait on it.
ROOMY = {"telegram": PlatformLimits(overall=Rate(10_000, 1), per_chat=Rate(10_000, 1),
                                    per_group=Rate(10_000, 1))}
WAIT = 15.0  # seconds before a test gives up on an update; a hang fails instead of blocking


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # opt in to PTB's coming RetryAfter type


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, mentors=frozenset({f"telegram:{MENTOR_ID}"}))


@pytest.fixture
def throttles() -> Throttles:
    return Throttles(ROOMY)


def user(user_id: int, name: str) -> Json:
    return {"id": user_id, "is_bot": False, "first_name": name, "language_code": "en"}


def private(person: Json) -> Json:
    return {"id": person["id"], "type": "private", "first_name": person["first_name"]}


def group(chat_id: int, title: str = "Newcomers") -> Json:
    return {"id": chat_id, "type": "supergroup" if str(chat_id).startswith("-100") else "group",
            "title": title}


class Harness:
    """Feeds updates through the adapter and waits until each one has been handled."""

    def __init__(self, fake: FakeBotApi, app: App, adapter: TelegramAdapter, clock: SimulatedClock) -> None:
        self.fake = fake
        self.app = app
        self.adapter = adapter
        self.clock = clock
        self.handled: set[int] = set()
        self._changed = asyncio.Event()
        self.server: HttpServer | None = None
        adapter.application.add_handler(TypeHandler(Update, self._mark), group=99)
        self.delivery = app.delivery({"telegram": adapter.messenger})

    async def _mark(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.handled.add(update.update_id)  # runs after the adapter's own handlers
        self._changed.set()

    async def run(self, update: Json) -> None:
        """Deliver one update (long polling, or a webhook post) and wait until it is handled."""
        if self.server is None:
            update_id = self.fake.feed(update)
        else:
            update_id = int(update["update_id"])
            status = await self.post(update)
            assert status == 200
        async with asyncio.timeout(WAIT):
            while update_id not in self.handled:
                self._changed.clear()
                await self._changed.wait()

    async def post(self, body: Any, secret: str | None = WEBHOOK_SECRET) -> int:
        assert self.server is not None
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        url = f"http://127.0.0.1:{self.server.port}{self.adapter.config.webhook_path}"
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        async with aiohttp.ClientSession() as session, \
                session.post(url, data=data, headers=headers) as answer:
            return answer.status

    def person(self, user_id: int, name: str) -> Person:
        return Person(self, user(user_id, name))

    async def advance(self, delta: timedelta) -> None:
        """Let simulated time pass; the scheduler sends whatever comes due, through the adapter."""
        await advance(self.delivery, self.clock, delta)


class Person:
    """Someone using Telegram: writes in a chat, presses buttons, reads what the bot sent."""

    def __init__(self, harness: Harness, me: Json) -> None:
        self.harness = harness
        self.fake = harness.fake
        self.me = me
        self.id = int(me["id"])

    @property
    def chat(self) -> Json:
        return private(self.me)

    async def say(self, text: str, chat: Json | None = None, reply_to: Json | None = None,
                  **extra: Any) -> list[Json]:
        """Send a message; returns what the bot sent into that chat in answer."""
        where = chat or self.chat
        before = len(self.fake.sent(where["id"]))
        await self.harness.run(self.fake.message_update(self.me, where, text, reply_to, **extra))
        return self.fake.sent(where["id"])[before:]

    async def press(self, message: Json, label: str) -> list[Json]:
        """Press the button labelled `label` (or numbered so) on a message the bot sent."""
        data = button_data(message, label)
        chat_id = message["chat"]["id"]
        before = len(self.fake.sent(chat_id))
        await self.harness.run(self.fake.callback_update(self.me, message, data))
        return self.fake.sent(chat_id)[before:]

    def inbox(self) -> list[Json]:
        return self.fake.sent(self.id)

    def last(self) -> Json:
        return self.inbox()[-1]


def buttons(message: Json) -> list[Json]:
    return [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


def button_data(message: Json, label: str) -> str:
    """The button showing `label`, or the numbered one whose line in the text starts with it."""
    lines = str(message.get("text", "")).splitlines()
    for button in buttons(message):
        shown = button["text"]
        numbered = f"{shown}. "
        if shown.isdigit() and label != shown:
            shown = next((ln.removeprefix(numbered) for ln in lines if ln.startswith(numbered)), shown)
        if shown.startswith(label):
            return str(button["callback_data"])
    raise AssertionError(f"no button {label!r} in {[b['text'] for b in buttons(message)]}")


def texts(messages: list[Json]) -> str:
    return "\n".join(str(m.get("text") or m.get("caption") or "") for m in messages)


async def started(app: App, env: dict[str, str], fake: FakeBotApi, clock: SimulatedClock,
                  webhook: bool = False) -> Harness:
    adapter = create_adapter(app, env)
    harness = Harness(fake, app, adapter, clock)
    if webhook:
        harness.server = HttpServer(adapter.routes(), "127.0.0.1", 0)
        await harness.server.start()
    await adapter.start()
    return harness


async def stopped(harness: Harness) -> None:
    await harness.adapter.stop()
    if harness.server is not None:
        await harness.server.stop()


@pytest.fixture
async def telegram(fake: FakeBotApi, app: App, clock: SimulatedClock) -> AsyncIterator[Harness]:
    """The adapter on long polling."""
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url}
    harness = await started(app, env, fake, clock)
    yield harness
    await stopped(harness)


@pytest.fixture
async def webhook(fake: FakeBotApi, app: App, clock: SimulatedClock) -> AsyncIterator[Harness]:
    """The adapter on a webhook, served by the process's shared HTTP server."""
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url,
           "TELEGRAM_WEBHOOK_URL": WEBHOOK_URL, "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET}
    harness = await started(app, env, fake, clock, webhook=True)
    yield harness
    await stopped(harness)

