"""Whatever reaches /slack/events: refused cleanly before it is read, handled once, or set aside."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from coachbot_slack import create_adapter

from coachbot.bootstrap import App
from coachbot.http import HttpServer
from tests.adapters.slack.conftest import slack_env
from tests.adapters.slack.fake_slack import BOT_USER, TEAM, FakeSlack
from tests.adapters.slack.kit import (
    ANN,
    FORM,
    SECRET,
    Workspace,
    dm_event,
    dm_of,
    event_body,
    signed,
    track_question,
)

CHANNEL = "C0MENTORS"
DIARY = "my very private diary entry"
JSON = "application/json"
DEEP = "[" * 100_000 + "]" * 100_000


def sign_bytes(raw: bytes, secret: str = SECRET) -> dict[str, str]:
    """Signed as Slack would sign it, whatever the bytes are."""
    stamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


@dataclass(frozen=True)
class Attempt:
    name: str
    body: bytes
    content_type: str
    headers: dict[str, str]
    status: int
    sign_with: str | None = None  # signed when sent, so a slow run cannot make it stale


def attempts() -> list[Attempt]:
    """Forged and malformed requests, and the answer each must get."""
    good = json.dumps(event_body(dm_event(ANN, DIARY))).encode()
    form = urlencode({"payload": json.dumps({"type": "block_actions", "text": DIARY})}).encode()
    big = json.dumps(event_body(dm_event(ANN, DIARY * 30_000))).encode()  # just under 1 MB
    unsigned = {"unsigned JSON": good, "unsigned broken JSON": b'{"text": "' + DIARY.encode(),
                "unsigned, nearly 1 MB": big,
                "unsigned form": form, "unsigned broken payload": b"payload=%7Bnot",
                "unsigned list": b"[1, 2]", "unsigned deep nesting": DEEP.encode()}
    tried = [Attempt(name, body, JSON, {}, 401) for name, body in unsigned.items()]
    stale = str(int(time.time()) - 600)
    for stamp in ("abc", "9" * 5000, "١٧٠٠٠٠٠٠٠٠", " 1700000000", "", stale):
        tried.append(Attempt(f"timestamp {stamp[:12]!r}", good, JSON,
                             {"X-Slack-Request-Timestamp": stamp}, 401, SECRET))
    tried += [
        Attempt("over 1 MB", big + b" " * 400_000, JSON, {}, 413, SECRET),
        Attempt("wrong secret", good, JSON, {}, 401, "not-the-secret"),
        Attempt("signature of another body", good, JSON, signed("{}"), 401),
        Attempt("not UTF-8", b"\xff" + DIARY.encode(), JSON, {}, 401, SECRET),
    ]
    malformed = {"broken JSON": b'{"text": "' + DIARY.encode(), "a list": b"[1, 2]",
                 "deep nesting": DEEP.encode(), "broken payload": b"payload=%7Bnot",
                 "payload list": b"payload=%5B1%5D",
                 "event not an object": json.dumps({"type": "event_callback", "event": DIARY}).encode(),
                 "actions not a list": urlencode({"payload": json.dumps(
                     {"type": "block_actions", "user": {"id": ANN}, "actions": DIARY})}).encode(),
                 "press without actions": urlencode({"payload": json.dumps(
                     {"type": "block_actions", "user": {"id": ANN}})}).encode()}
    for name, body in malformed.items():
        content_type = FORM if body.startswith(b"payload") else JSON
        tried.append(Attempt(f"signed {name}", body, content_type, {}, 400, SECRET))
    return tried


ATTEMPTS = attempts()


@pytest.fixture(autouse=True)
def _debug_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # what is refused must stay out of the log at every level


async def send(workspace: Workspace, attempt: Attempt) -> int:
    signature = sign_bytes(attempt.body, attempt.sign_with) if attempt.sign_with else {}
    headers = {"Content-Type": attempt.content_type, **signature, **attempt.headers}
    async with workspace.session.post(workspace.events_url, data=attempt.body, headers=headers) as answer:
        await answer.read()
        return answer.status


def refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("Slack request refused")]


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    assert [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=[a.name for a in ATTEMPTS])
async def test_forged_and_malformed_requests_are_refused_before_anything_reads_them(
        workspace: Workspace, fake: FakeSlack, caplog: pytest.LogCaptureFixture, attempt: Attempt) -> None:
    caplog.clear()
    assert await send(workspace, attempt) == attempt.status
    await workspace.adapter.idle()
    assert fake.posts() == [] and fake.called("users.info") == []
    assert len(refusals(caplog)) == 1  # one line, whatever the level
    assert DIARY not in caplog.text
    no_tracebacks(caplog)


async def test_the_same_signed_slash_command_sent_three_times_runs_once(
        workspace: Workspace, fake: FakeSlack) -> None:
    body = workspace.command_body(ANN, "help")
    assert [await workspace.post(body, FORM) for _ in range(3)] == [200, 200, 200]
    assert len(fake.posts(dm_of(ANN))) == 1


async def test_a_replayed_button_press_runs_once_even_on_another_instance(
        workspace: Workspace, fake: FakeSlack, app: App) -> None:
    welcome = await track_question(workspace, fake)
    body = workspace.press_body(ANN, welcome, "track:replies")
    assert await workspace.post(body, FORM) == 200
    asked = len(fake.posts(dm_of(ANN)))
    other = create_adapter(app, slack_env(fake))  # another process sharing the database
    await other.start()
    server = HttpServer(other.routes(), "127.0.0.1", 0)
    await server.start()
    try:
        again = Workspace(fake, other, f"http://127.0.0.1:{server.port}/slack/events", workspace.session)
        assert await again.post(body, FORM) == 200
        assert await workspace.post(body, FORM) == 200
    finally:
        await server.stop()
        await other.stop()
    assert len(fake.posts(dm_of(ANN))) == asked


async def test_a_members_mentor_command_by_mention_is_refused_privately(
        workspace: Workspace, fake: FakeSlack) -> None:
    mention = {"type": "app_mention", "user": "UBEN", "channel": CHANNEL, "team": TEAM,
               "text": f"<@{BOT_USER}> push next", "ts": "1700000123.000200"}
    assert await workspace.event(mention) == 200
    assert fake.posts(CHANNEL) == []
    refusal = fake.called("chat.postEphemeral")[-1].args
    assert refusal["user"] == "UBEN" and refusal["channel"] == CHANNEL
    assert "Only this group's mentors can use push" in refusal["text"]
    assert refusal["thread_ts"] == "1700000123.000200"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("reach", ["expired", "unreachable"])
async def test_a_command_whose_response_url_fails_is_answered_through_the_web_api(
        workspace: Workspace, fake: FakeSlack, reach: str) -> None:
    fake.expired.add("expired")
    url = fake.response_url("expired") if reach == "expired" else f"http://127.0.0.1:{closed_port()}/r"
    body = workspace.command_body("UGINA", "schedule 09:00", channel=CHANNEL, channel_name="mentors",
                                  response_url=url)
    assert await workspace.post(body, FORM) == 200
    answer = fake.called("chat.postEphemeral")[-1].args
    assert answer["user"] == "UGINA" and answer["channel"] == CHANNEL
    assert "Scheduled: a group lesson every day at 09:00" in answer["text"]
    assert fake.posts(CHANNEL) == []


async def test_a_button_on_a_private_message_whose_response_url_expired_still_answers(
        workspace: Workspace, fake: FakeSlack) -> None:
    joined = {"type": "member_joined_channel", "channel": CHANNEL, "channel_type": "C", "team": TEAM}
    await workspace.event({**joined, "user": ANN})
    welcome = fake.called("chat.postEphemeral")[-1]
    fake.expired.add("gone")
    assert await workspace.press(ANN, welcome, "open", hook="gone") == 200
    assert "What brings you here?" in fake.posts(dm_of(ANN))[-1].args["text"]
    told = [c.args for c in fake.called("chat.postEphemeral")[1:]]  # after the welcome itself
    assert len(told) == 1 and told[0]["user"] == ANN and told[0]["channel"] == CHANNEL
    assert told[0]["text"].startswith("I've sent you a direct message")


async def test_a_stale_button_is_not_shown_as_chosen(workspace: Workspace, fake: FakeSlack) -> None:
    welcome = (await workspace.dm(ANN, "start"))[-1]
    stale = workspace.press_body(ANN, welcome, "purpose:personal", sends="retired:feature")
    assert await workspace.post(stale, FORM) == 200
    assert fake.called("chat.update") == []  # the message still offers its buttons
    assert "That button has expired" in fake.posts(dm_of(ANN))[-1].args["text"]


async def test_payloads_without_the_person_are_ignored_with_a_log_line(
        workspace: Workspace, fake: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:
    command = {"command": "/coach", "text": "push next", "channel_id": CHANNEL, "team_id": TEAM,
               "trigger_id": "1.2.3", "response_url": fake.response_url()}
    press = {"type": "block_actions", "team": {"id": TEAM}, "trigger_id": "4.5.6",
             "container": {"type": "message", "channel_id": CHANNEL}, "channel": {"id": CHANNEL},
             "actions": [{"type": "button", "action_id": "coach:0", "value": "cmd:help"}]}
    open_dm = {**press, "trigger_id": "7.8.9", "actions": [{"type": "button", "action_id": "open_dm"}]}
    for body in (urlencode(command), *(urlencode({"payload": json.dumps(p)}) for p in (press, open_dm))):
        assert await workspace.post(body, FORM) == 200
    ignored = [r.getMessage() for r in caplog.records if r.getMessage().endswith(": ignored")]
    assert ignored == ["Slack slash command without user_id: ignored",
                       "Slack button press without user: ignored", "Slack button press without user: ignored"]
    assert fake.posts() == [] and fake.responses == [] and fake.called("chat.postEphemeral") == []
    no_tracebacks(caplog)
