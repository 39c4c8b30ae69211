"""The dashboard's sign-in link reaches a mentor privately on Telegram, never the group."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from coachbot.bootstrap import App
from coachbot.clock import SimulatedClock
from coachbot.settings import Settings
from tests.adapters.fake_telegram import FakeBotApi
from tests.adapters.telegram.conftest import MENTOR_ID, TOKEN, Harness, group, started, stopped, texts
from tests.adapters.telegram.test_groups import at
from tests.conftest import app_for

GROUP = -100700
PUBLIC = "https://coach.example.org"


@pytest.fixture
async def with_dashboard(fake: FakeBotApi, app: App, clock: SimulatedClock) -> AsyncIterator[Harness]:
    settings = Settings(database_url=app.settings.database_url, mentors=app.settings.mentors,
                        public_url=PUBLIC, secret_key="k" * 40)
    dashboard_on = app_for(app.content, app.engine, clock, settings, app.throttles)
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url}
    harness = await started(dashboard_on, env, fake, clock)
    yield harness
    await stopped(harness)


async def test_the_link_goes_to_the_mentors_private_chat(with_dashboard: Harness) -> None:
    mia = with_dashboard.person(MENTOR_ID, "Mia")
    await mia.say("/help")  # Mia has a private chat with the bot
    chat = group(GROUP)
    await mia.say("hello", chat=chat)
    before = len(mia.inbox())
    in_group = await mia.say(at("/dashboard"), chat=chat)
    assert PUBLIC not in texts(in_group)
    assert f"{PUBLIC}/dashboard/" in texts(mia.inbox()[before:])


async def test_without_a_private_chat_the_group_sees_only_a_hint(with_dashboard: Harness) -> None:
    mia = with_dashboard.person(MENTOR_ID, "Mia")
    chat = group(GROUP)
    await mia.say("hello", chat=chat)
    # She never pressed Start in a private chat, so Telegram refuses to write to her there.
    in_group = await mia.say(at("/dashboard"), chat=chat)
    assert PUBLIC not in texts(in_group)
    assert "open one, then ask again there" in texts(in_group)
