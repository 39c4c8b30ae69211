"""Driving the Slack adapter as Slack does: signed HTTP requests to /slack/events."""

from __future__ import annotations

import itertools
import json
import time
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import aiohttp
from coachbot_console.simulated import advance
from coachbot_slack import SlackAdapter
from slack_sdk.signature import SignatureVerifier

from coachbot.clock import SimulatedClock
from coachbot.content import Content
from coachbot.delivery.service import DeliveryService
from tests.adapters.slack.fake_slack import BOT_USER, TEAM, Call, FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
FORM = "application/x-www-form-urlencoded"
_ids = itertools.count(1)


def signed(body: str, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def trigger_id() -> str:
    """Slack gives every slash command and every button press a trigger id of its own."""
    return f"13345224609.{next(_ids)}.8088930838d88f008e0"


def event_body(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {"token": "legacy", "team_id": TEAM, "api_app_id": "A0APP", "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):08d}", "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}]}


def dm_event(user: str, text: str) -> dict[str, Any]:
    return {"type": "message", "channel_type": "im", "channel": dm_of(user), "user": user,
            "text": text, "ts": f"{time.time():.6f}", "team": TEAM}


def dm_of(user: str) -> str:
    """The DM the fake opens for a user (conversations.open answers the same)."""
    return "D" + user.lstrip("U")


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for block in blocks:
        if block.get("type") == "actions":
            found += [dict(e, block_id=block.get("block_id", "b")) for e in block["elements"]]
        accessory = block.get("accessory")
        if accessory and accessory.get("type") == "button":
            found.append(dict(accessory, block_id=block.get("block_id", "b")))
    return found


def texts(blocks: list[dict[str, Any]]) -> str:
    """Every piece of text in some blocks, for assertions on what a person sees."""
    parts: list[str] = []
    for block in blocks:
        for key in ("text",):
            value = block.get(key)
            if isinstance(value, dict):
                parts.append(str(value.get("text", "")))
        for item in block.get("fields", []) + block.get("elements", []):
            text = item.get("text")
            parts.append(str(text.get("text", "")) if isinstance(text, dict) else str(text or ""))
        accessory = block.get("accessory")
        if accessory:
            parts.append(str(accessory.get("text", {}).get("text", "")))
    return "\n".join(p for p in parts if p)


class Workspace:
    """One Slack workspace talking to the adapter: people type, press, open tabs."""

    def __init__(self, fake: FakeSlack, adapter: SlackAdapter, events_url: str,
                 session: aiohttp.ClientSession) -> None:
        self.fake = fake
        self.adapter = adapter
        self.events_url = events_url
        self.session = session

    async def post(self, body: str, content_type: str, headers: dict[str, str] | None = None,
                   settle: bool = True) -> int:
        all_headers = {"Content-Type": content_type, **(headers if headers is not None else signed(body))}
        async with self.session.post(self.events_url, data=body.encode(), headers=all_headers) as answer:
            await answer.read()
            status = answer.status
        if settle:
            await self.adapter.idle()
        return status

    async def event(self, event: dict[str, Any], event_id: str | None = None,
                    retry: int | None = None, settle: bool = True) -> int:
        body = json.dumps(event_body(event, event_id))
        headers = signed(body)
        if retry is not None:
            headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
        return await self.post(body, "application/json", headers, settle)

    async def dm(self, user: str, text: str) -> list[Call]:
        """`user` writes `text` in their DM with the app; returns what the app posted back."""
        before = len(self.fake.posts(dm_of(user)))
        assert await self.event(dm_event(user, text)) == 200
        return self.fake.posts(dm_of(user))[before:]

    async def command(self, user: str, text: str, channel: str | None = None,
                      channel_name: str = "directmessage", hook: str = "hook", settle: bool = True) -> int:
        return await self.post(self.command_body(user, text, channel, channel_name, hook),
                               FORM, settle=settle)

    def command_body(self, user: str, text: str, channel: str | None = None,
                     channel_name: str = "directmessage", hook: str = "hook",
                     response_url: str | None = None) -> str:
        """The form Slack posts for `/coach <text>`."""
        form = {"token": "legacy", "team_id": TEAM, "team_domain": "newcomers",
                "channel_id": channel or dm_of(user), "channel_name": channel_name,
                "user_id": user, "user_name": user.lower(), "command": "/coach", "text": text,
                "api_app_id": "A0APP", "response_url": response_url or self.fake.response_url(hook),
                "trigger_id": trigger_id()}
        return urlencode(form)

    async def press(self, user: str, message: Call, value: str, hook: str = "press") -> int:
        """`user` presses the button with `value` on a message the app posted (as it is now)."""
        return await self.post(self.press_body(user, message, value, hook), FORM)

    def press_body(self, user: str, message: Call, value: str, hook: str = "press",
                   sends: str | None = None) -> str:
        """The form Slack posts for that press; `sends` overrides the value it carries."""
        blocks = self.current_blocks(message)
        button = next(b for b in buttons(blocks) if b["value"] == value)
        ephemeral = message.method == "chat.postEphemeral"
        channel = message.args["channel"] if ephemeral else message.result["channel"]
        ts = message.result["message_ts" if ephemeral else "ts"]
        payload: dict[str, Any] = {
            "type": "block_actions", "team": {"id": TEAM}, "api_app_id": "A0APP",
            "user": {"id": user, "team_id": TEAM}, "trigger_id": trigger_id(),
            "container": {"type": "message", "message_ts": ts, "channel_id": channel,
                          "is_ephemeral": ephemeral},
            "channel": {"id": channel}, "response_url": self.fake.response_url(hook),
            "actions": [{"type": "button", "action_id": button["action_id"],
                         "block_id": button["block_id"], "value": sends or value, "text": button["text"],
                         "action_ts": f"{time.time():.6f}"}]}
        if not ephemeral:  # Slack leaves the message out of payloads from ephemeral ones
            payload["message"] = {"type": "message", "ts": ts, "text": message.args.get("text", ""),
                                  "blocks": blocks, "user": BOT_USER}
        return urlencode({"payload": json.dumps(payload)})

    async def press_home(self, user: str, value: str) -> int:
        view = self.home_of(user)
        button = next(b for b in buttons(view["blocks"]) if b["value"] == value)
        payload = {
            "type": "block_actions", "team": {"id": TEAM}, "api_app_id": "A0APP",
            "user": {"id": user, "team_id": TEAM}, "trigger_id": trigger_id(),
            "container": {"type": "view", "view_id": "V1"}, "view": {"id": "V1", **view},
            "actions": [{"type": "button", "action_id": button["action_id"], "block_id": "b",
                         "value": value, "text": button["text"], "action_ts": f"{time.time():.6f}"}]}
        return await self.post(urlencode({"payload": json.dumps(payload)}),
                               FORM)

    async def open_home(self, user: str) -> dict[str, Any]:
        assert await self.event({"type": "app_home_opened", "user": user, "channel": dm_of(user),
                                 "tab": "home", "event_ts": f"{time.time():.6f}"}) == 200
        return self.home_of(user)

    def home_of(self, user: str) -> dict[str, Any]:
        published = [c for c in self.fake.called("views.publish") if c.args["user_id"] == user]
        assert published, f"no Home tab was published for {user}"
        view: dict[str, Any] = published[-1].args["view"]
        return view

    def current_blocks(self, message: Call) -> list[dict[str, Any]]:
        """A posted message's blocks, after any chat.update the app made to it."""
        updates = [c for c in self.fake.called("chat.update")
                   if c.args.get("ts") == message.result["ts"]
                   and c.args.get("channel") == message.result["channel"]]
        source = updates[-1] if updates else message
        return list(source.args.get("blocks") or [])

    def text_of(self, message: Call) -> str:
        return texts(self.current_blocks(message))


ANN = "UANN"
NEW_YORK = ZoneInfo("America/New_York")


def lessons(fake: FakeSlack, channel: str) -> list[Call]:
    return [c for c in fake.posts(channel) if (c.args.get("blocks") or [{}])[0].get("type") == "header"]


def answer(content: Content, lesson: Call, best: bool = True) -> str:
    """The value of the button a learner presses: the best (or a wrong) answer, or Mark as done."""
    values = [b["value"] for b in buttons(lesson.args["blocks"])]
    if values[0].startswith("done:"):
        return values[0]
    lesson_id = values[0].split(":")[1]
    found = content.lesson(lesson_id)
    assert found is not None
    track, index = found
    choices = track.lessons[index].checkin.choices
    return f"answer:{lesson_id}:{next(i for i, c in enumerate(choices) if c.best == best)}"


async def evening(delivery: DeliveryService, clock: SimulatedClock, day: str) -> None:
    """Let the scheduler run until 19:00 in New York on `day`."""
    await advance(delivery, clock, datetime.fromisoformat(f"{day}T19:00").replace(tzinfo=NEW_YORK)
                           - clock.now())


async def track_question(workspace: Workspace, fake: FakeSlack) -> Call:
    """Ann types start and presses what brings her here; returns the track question."""
    welcome = (await workspace.dm(ANN, "start"))[-1]
    assert "What brings you here?" in welcome.args["text"]
    await workspace.press(ANN, welcome, "purpose:personal")
    assert "You picked: *A personal account*" in workspace.text_of(welcome)
    question = fake.posts(dm_of(ANN))[-1]
    assert "Which track" in question.args["text"]
    return question


async def onboard(workspace: Workspace, fake: FakeSlack) -> Call:
    """Ann onboards with buttons and rates the track's subject; returns her first lesson."""
    question = await track_question(workspace, fake)
    await workspace.press(ANN, question, "track:replies")
    assert buttons(workspace.current_blocks(question)) == []  # pressed once, cannot be pressed again
    assert "You picked: *Replies that start conversations*" in workspace.text_of(question)
    zone = fake.posts(dm_of(ANN))[-1]
    assert "America/New_York" in zone.args["text"]  # read from her Slack profile
    await workspace.press(ANN, zone, "tz:America/New_York")
    await workspace.press(ANN, fake.posts(dm_of(ANN))[-1], "time:18:00")
    first = lessons(fake, dm_of(ANN))[-1]
    await workspace.press(ANN, fake.posts(dm_of(ANN))[-1], "rate:replies:start:3")
    return first
