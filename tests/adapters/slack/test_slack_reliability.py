"""Signatures, acks before work, Slack's retries answered once, 429s, and Slack's errors."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta

import pytest
from coachbot_slack import SlackAdapter, create_adapter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.bootstrap import App
from coachbot.clock import SimulatedClock
from coachbot.content import Content
from coachbot.delivery.ports import RateLimited, RecipientGone, TransientError
from coachbot.delivery.service import DeliveryService
from coachbot.http import HttpServer
from coachbot.messages import Outgoing, Reply
from coachbot.settings import SettingsError
from coachbot.store.models import Learner
from tests.adapters.slack.conftest import slack_env
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.kit import (
    ANN,
    Workspace,
    answer,
    dm_event,
    dm_of,
    evening,
    event_body,
    lessons,
    onboard,
    signed,
)


async def test_a_bad_or_stale_signature_is_refused_with_401(workspace: Workspace, fake: FakeSlack) -> None:
    body = json.dumps(event_body(dm_event(ANN, "help")))
    forged = signed(body, secret="not-the-secret")
    stale = signed(body, timestamp=int(time.time()) - 10 * 60)
    assert await workspace.post(body, "application/json", forged) == 401
    assert await workspace.post(body, "application/json", stale) == 401
    assert await workspace.post(body, "application/json", {}) == 401
    assert fake.posts() == [] and fake.called("users.info") == []


async def test_the_same_event_delivered_three_times_is_answered_once(workspace: Workspace,
                                                                    fake: FakeSlack) -> None:
    event = dm_event(ANN, "help")
    statuses = [await workspace.event(event, "Ev0001", retry=retry) for retry in (None, 1, 2)]
    assert statuses == [200, 200, 200]  # every delivery is acknowledged, so Slack stops retrying
    assert len(fake.posts(dm_of(ANN))) == 1


async def test_deliveries_arriving_together_are_answered_once(workspace: Workspace, fake: FakeSlack) -> None:
    event = dm_event(ANN, "help")
    sends = [workspace.event(event, "Ev0002", retry=retry, settle=False) for retry in (None, 1, 2)]
    assert await asyncio.gather(*sends) == [200, 200, 200]
    await workspace.adapter.idle()
    assert len(fake.posts(dm_of(ANN))) == 1


async def test_a_retry_of_an_event_never_handled_is_handled(workspace: Workspace, fake: FakeSlack) -> None:
    # The original arrived while the app was down; Slack's first retry is all we ever see.
    assert await workspace.event(dm_event(ANN, "help"), "Ev0003", retry=1) == 200
    assert len(fake.posts(dm_of(ANN))) == 1


async def test_retries_after_a_restart_are_still_answered_once(
        workspace: Workspace, fake: FakeSlack, app: App) -> None:
    await workspace.event(dm_event(ANN, "help"), "Ev0004")
    restarted = create_adapter(app, slack_env(fake))  # a new process: nothing in memory
    await restarted.start()
    server = HttpServer(restarted.routes(), "127.0.0.1", 0)
    await server.start()
    try:
        again = Workspace(fake, restarted, f"http://127.0.0.1:{server.port}/slack/events",
                          workspace.session)
        assert await again.event(dm_event(ANN, "help"), "Ev0004", retry=1) == 200
    finally:
        await server.stop()
        await restarted.stop()
    assert len(fake.posts(dm_of(ANN))) == 1


async def test_an_event_whose_handler_died_is_handled_on_retry(
        workspace: Workspace, fake: FakeSlack, adapter: SlackAdapter, clock: SimulatedClock) -> None:
    assert await adapter.ledger.claim("Ev0005")  # a process claimed it, then died mid-way
    assert await workspace.event(dm_event(ANN, "help"), "Ev0005", retry=1) == 200
    assert fake.posts(dm_of(ANN)) == []  # too soon to tell it from one still at work
    clock.advance(timedelta(minutes=5))
    assert await workspace.event(dm_event(ANN, "help"), "Ev0005", retry=2) == 200
    assert len(fake.posts(dm_of(ANN))) == 1


async def test_slack_has_its_ack_before_the_work_is_done(workspace: Workspace, fake: FakeSlack) -> None:
    gate = fake.hold("chat.postMessage")
    assert await workspace.event(dm_event(ANN, "help"), settle=False) == 200
    assert await workspace.command(ANN, "progress", settle=False) == 200
    await fake.wait_for("chat.postMessage")
    assert fake.posts(dm_of(ANN))[0].result == {}  # the answer is still on its way
    gate.set()
    await workspace.adapter.idle()
    assert [bool(c.result.get("ok")) for c in fake.posts(dm_of(ANN))] == [True, True]


async def test_a_429_is_waited_out_and_the_answer_arrives_once(workspace: Workspace, fake: FakeSlack) -> None:
    fake.rate_limit("chat.postMessage", retry_after=1)
    await workspace.dm(ANN, "help")
    first, second = fake.posts(dm_of(ANN))
    assert first.result == {} and second.result["ok"] is True  # refused, then taken
    assert second.wall - first.wall >= 1.0  # not before Retry-After


async def test_a_long_retry_after_holds_back_only_that_chat(
        workspace: Workspace, fake: FakeSlack, delivery: DeliveryService, clock: SimulatedClock,
        content: Content) -> None:
    first = await onboard(workspace, fake)
    await workspace.press(ANN, first, answer(content, first))  # so the evening brings a new lesson
    fake.rate_limit("chat.postMessage", retry_after=120)
    await evening(delivery, clock, "2026-03-03")
    evening_lessons = [c for c in lessons(fake, dm_of(ANN)) if c.result.get("ok")]
    assert len(evening_lessons) == 2  # the 429'd one came again after Retry-After, once
    refused = [c for c in fake.posts(dm_of(ANN)) if not c.result]
    assert len(refused) == 1 and evening_lessons[-1].at and refused[0].at
    assert evening_lessons[-1].at - refused[0].at >= timedelta(seconds=120)


async def test_messenger_raises_the_cores_errors(adapter: SlackAdapter, fake: FakeSlack) -> None:
    out = Outgoing("slack", "C0GONE", Reply("hello"), is_group=True)
    for error in ("channel_not_found", "not_in_channel", "account_inactive", "is_archived"):
        fake.answer_error("chat.postMessage", error)
        with pytest.raises(RecipientGone, match=error):
            await adapter.messenger.send(out)
    fake.answer_error("chat.postMessage", "internal_error", status=500)
    with pytest.raises(TransientError):
        await adapter.messenger.send(out)
    fake.rate_limit("chat.postMessage", retry_after=90)
    with pytest.raises(RateLimited) as limited:
        await adapter.messenger.send(out)
    assert limited.value.retry_after == 90
    assert await adapter.messenger.send(out)  # and then it goes through, with a message ts


async def test_a_learner_slack_no_longer_reaches_gets_no_more_lessons(
        workspace: Workspace, fake: FakeSlack, delivery: DeliveryService, clock: SimulatedClock,
        sessions: async_sessionmaker[AsyncSession]) -> None:
    await onboard(workspace, fake)
    before = len(fake.posts(dm_of(ANN)))
    fake.answer_error("chat.postMessage", "account_inactive")
    await evening(delivery, clock, "2026-03-03")
    await evening(delivery, clock, "2026-03-04")
    async with sessions() as session:
        learner = await session.scalar(select(Learner).where(Learner.platform_user_id == ANN))
    assert learner is not None and learner.unreachable
    assert len(fake.posts(dm_of(ANN))) == before + 1  # Tuesday's was refused; none tried since


async def test_replies_take_the_platforms_send_slot(workspace: Workspace, app: App) -> None:
    await workspace.dm(ANN, "help")
    assert app.throttles.for_platform("slack").tracked_chats == 1


async def test_a_refused_token_stops_the_start_with_a_clear_message(app: App, fake: FakeSlack) -> None:
    fake.answer_error("auth.test", "invalid_auth")
    with pytest.raises(SettingsError, match=r"SLACK_BOT_TOKEN.*invalid_auth"):
        await create_adapter(app, slack_env(fake)).start()


async def test_slacks_url_check_is_answered_with_its_challenge(workspace: Workspace) -> None:
    body = json.dumps({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"})
    headers = {"Content-Type": "application/json", **signed(body)}
    async with workspace.session.post(workspace.events_url, data=body, headers=headers) as answer:
        assert answer.status == 200
        assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in await answer.text()


async def test_an_answer_still_arrives_when_its_message_cannot_be_updated(
        workspace: Workspace, fake: FakeSlack) -> None:
    question = (await workspace.dm(ANN, "forget"))[-1]
    fake.answer_error("chat.update", "cant_update_message")
    await workspace.press(ANN, question, "forget:no")
    assert "Nothing was deleted" in fake.posts(dm_of(ANN))[-1].args["text"]


async def test_events_arriving_during_shutdown_are_left_for_slacks_retry(
        workspace: Workspace, adapter: SlackAdapter, fake: FakeSlack) -> None:
    await adapter.stop()
    assert await workspace.event(dm_event(ANN, "help"), "Ev0009") == 503
    assert fake.posts() == []
