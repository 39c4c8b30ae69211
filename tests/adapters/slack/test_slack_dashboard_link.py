"""The dashboard's sign-in link reaches a mentor privately on Slack, never the channel."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from coachbot.settings import Settings
from tests.adapters.slack.conftest import MENTOR
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.kit import Workspace
from tests.adapters.slack.test_slack_channels import CHANNEL, in_channel

PUBLIC = "https://coach.example.org"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, mentors=frozenset({f"slack:{MENTOR}"}),
                    quiet_hours=(time(21, 0), time(8, 0)), reminder_after=timedelta(hours=4),
                    public_url=PUBLIC, secret_key="s" * 40)


async def test_a_mentor_gets_the_link_only_for_their_eyes(workspace: Workspace, fake: FakeSlack) -> None:
    reply = await in_channel(workspace, MENTOR, "dashboard", "mia")
    assert f"{PUBLIC}/dashboard/" in reply
    assert all(PUBLIC not in str(post.args) for post in fake.posts(CHANNEL))
