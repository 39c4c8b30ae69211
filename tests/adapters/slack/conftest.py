"""The Slack adapter on a real HTTP server, against a local fake of Slack's Web API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import time, timedelta

import aiohttp
import pytest
from coachbot_slack import SlackAdapter, create_adapter

from coachbot.bootstrap import App
from coachbot.clock import SimulatedClock
from coachbot.delivery.limits import Throttles
from coachbot.delivery.service import DeliveryService
from coachbot.http import HttpServer
from coachbot.settings import Settings
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.kit import SECRET, Workspace

MENTOR = "UMIA"  # named in the settings as a mentor


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, mentors=frozenset({f"slack:{MENTOR}"}),
                    quiet_hours=(time(21, 0), time(8, 0)), reminder_after=timedelta(hours=4))


@pytest.fixture
async def fake(clock: SimulatedClock) -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack(clock).start()
    fake.add_user("UANN", "Ann", tz="America/New_York")
    fake.add_user("UBEN", "Ben", tz="Asia/Tokyo")
    fake.add_user("UGINA", "Gina", tz="Europe/London", admin=True)
    fake.add_user(MENTOR, "Mia", tz="Europe/Berlin")
    yield fake
    await fake.stop()


@pytest.fixture
def throttles() -> Throttles:
    return Throttles({})  # no waiting between sends here: the limits are tested in tests/unit


def slack_env(fake: FakeSlack) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.api_url}


@pytest.fixture
async def adapter(app: App, fake: FakeSlack) -> AsyncIterator[SlackAdapter]:
    adapter = create_adapter(app, slack_env(fake))
    await adapter.start()
    yield adapter
    await adapter.stop()


@pytest.fixture
async def workspace(adapter: SlackAdapter, fake: FakeSlack) -> AsyncIterator[Workspace]:
    server = HttpServer(adapter.routes(), "127.0.0.1", 0)
    await server.start()
    async with aiohttp.ClientSession() as session:
        yield Workspace(fake, adapter, f"http://127.0.0.1:{server.port}/slack/events", session)
    await server.stop()


@pytest.fixture
def delivery(app: App, adapter: SlackAdapter) -> DeliveryService:
    return app.delivery({"slack": adapter.messenger})
