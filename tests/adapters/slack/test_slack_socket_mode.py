"""Socket Mode: the same coach over Slack's WebSocket, with no public URL and no signatures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from coachbot_slack import SlackAdapter, create_adapter

from coachbot.bootstrap import App
from tests.adapters.slack.fake_slack import TEAM, FakeSlack
from tests.adapters.slack.kit import ANN, dm_event, dm_of, event_body


@pytest.fixture
async def socket_adapter(app: App, fake: FakeSlack) -> AsyncIterator[SlackAdapter]:
    adapter = create_adapter(app, {"SLACK_BOT_TOKEN": "xoxb-test-token",
                                   "SLACK_APP_TOKEN": "xapp-1-A0APP-test", "SLACK_API_URL": fake.api_url})
    async with asyncio.timeout(20):  # Socket Mode keeps retrying a failed connection
        await adapter.start()
    yield adapter
    await adapter.stop()


async def envelope(fake: FakeSlack, adapter: SlackAdapter, envelope_id: str, kind: str,
                   payload: dict[str, Any], retry: int | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                               "accepts_response_payload": kind != "events_api"}
    if retry is not None:
        message.update(retry_attempt=retry, retry_reason="timeout")
    await fake.socket_send(message)
    ack = await fake.socket_ack(envelope_id)
    await adapter.idle()
    return ack


async def test_socket_mode_needs_no_route_and_answers_each_event_once(
        socket_adapter: SlackAdapter, fake: FakeSlack) -> None:
    assert socket_adapter.routes() == []
    assert fake.called("apps.connections.open")
    body = event_body(dm_event(ANN, "help"), "EvSock1")
    await envelope(fake, socket_adapter, "env-1", "events_api", body)
    assert len(fake.posts(dm_of(ANN))) == 1
    await envelope(fake, socket_adapter, "env-2", "events_api", body, retry=1)
    await envelope(fake, socket_adapter, "env-3", "events_api", body, retry=2)
    assert len(fake.posts(dm_of(ANN))) == 1  # acknowledged, not answered again


async def test_socket_mode_slash_commands_and_buttons(socket_adapter: SlackAdapter, fake: FakeSlack) -> None:
    command = {"team_id": TEAM, "channel_id": dm_of(ANN), "channel_name": "directmessage",
               "user_id": ANN, "command": "/coach", "text": "forget",
               "response_url": fake.response_url(), "trigger_id": "t"}
    await envelope(fake, socket_adapter, "env-4", "slash_commands", command)
    question = fake.posts(dm_of(ANN))[-1]
    assert "cannot be undone" in question.args["text"]
    press = {"type": "block_actions", "user": {"id": ANN, "team_id": TEAM}, "team": {"id": TEAM},
             "container": {"type": "message", "message_ts": question.result["ts"],
                           "channel_id": dm_of(ANN)},
             "channel": {"id": dm_of(ANN)}, "response_url": fake.response_url(),
             "message": {"ts": question.result["ts"], "text": question.args["text"],
                         "blocks": question.args["blocks"]},
             "actions": [{"type": "button", "action_id": "coach:1", "block_id": "choices",
                          "value": "forget:no", "text": {"type": "plain_text", "text": "No, keep it"}}]}
    await envelope(fake, socket_adapter, "env-5", "interactive", press)
    assert "Nothing was deleted" in fake.called("chat.update")[-1].args["text"]
