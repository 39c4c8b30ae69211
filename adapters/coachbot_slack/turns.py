"""The work after the ack: a person's message or button press through the coach, and back."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

from coachbot.conversation import Coach
from coachbot.delivery.limits import Throttles
from coachbot.delivery.platform_facts import PlatformFacts
from coachbot.messages import ChatKind, Incoming, Reply
from coachbot.store.inbound import InboundLedger
from coachbot.turnorder import TurnOrder
from coachbot_slack.blocks import OPEN_DM, button, section
from coachbot_slack.home import HomeTab
from coachbot_slack.messenger import PLATFORM, SlackMessenger
from coachbot_slack.people import People
from coachbot_slack.replies import Pressed, ReplySender, Where

log = logging.getLogger(__name__)

CHANNEL_INTRO = ("Hi everyone, I'm the coach: one short lesson a day on social engagement, in a "
                 "direct message. Press the button to start. Mentors (workspace admins and the "
                 "mentors named in my settings) can use `/coach push next`, `/coach schedule "
                 "09:00` and `/coach report` here.")
MEMBER_WELCOME = ("Welcome! I'm the coach for this channel: one short lesson a day on social "
                  "engagement, in a direct message with me. Press the button to start.")
DM_OPENED = "I've sent you a direct message: find me under Apps in the sidebar."


@dataclass(frozen=True)
class Said:
    """What a person did, read from a Slack payload before any API call."""

    user_id: str
    text: str = ""
    action: str | None = None
    channel: str | None = None  # None: the person's DM with the app, looked up after the ack
    is_group: bool = False
    thread_ts: str | None = None
    response_url: str | None = None
    pressed: Pressed | None = None
    key: str | None = None  # the same for every delivery of this request (see redelivery.py)


def open_dm_blocks(text: str) -> list[dict[str, object]]:
    return [section(text), {"type": "actions", "elements": [
        button("Message the coach", OPEN_DM, "open", "primary")]}]


class SlackTurns:
    def __init__(self, coach: Coach, messenger: SlackMessenger, throttles: Throttles,
                 people: People, ledger: InboundLedger, home: HomeTab, facts: PlatformFacts) -> None:
        self.coach = coach
        self.facts = facts
        self.messenger = messenger
        self.throttles = throttles
        self.people = people
        self.ledger = ledger
        self.home = home
        self.replies = ReplySender(messenger, throttles)
        self._turns: TurnOrder[str] = TurnOrder()

    async def turn(self, said: Said) -> None:
        """A person's messages are handled in the order they came, never two at once."""
        async with self._turns.turn(said.user_id):
            handled = await self.handle_once(said)
            if handled is None:
                return
            incoming, replies = handled
            where = Where(incoming.chat, said.user_id, said.is_group, said.thread_ts, said.response_url,
                          said.pressed)
            await self.replies.deliver(where, replies)
            if not said.is_group:
                await self.refresh_home(said.user_id)

    async def handle_once(self, said: Said) -> tuple[Incoming, list[Reply]] | None:
        """Through the coach, at most once per Slack request; None when it was handled before."""
        if said.key and not await self.ledger.claim(said.key):
            return None
        try:
            incoming = await self.incoming(said)
            replies = await self.coach.handle(incoming)
        except BaseException:
            if said.key:
                await self.ledger.release(said.key)
            raise
        if said.key:  # the coach's state changed once; a failed send must not redo it
            await self.ledger.done(said.key)
        return incoming, replies

    async def incoming(self, said: Said) -> Incoming:
        profile = await self.people.profile(said.user_id)
        channel = said.channel or await self.people.dm_channel(said.user_id)
        return Incoming(
            platform=PLATFORM, user_id=said.user_id, text=said.text, action=said.action,
            display_name=profile.name, chat_id=channel,
            chat_kind=ChatKind.GROUP if said.is_group else ChatKind.PRIVATE,
            is_chat_admin=said.is_group and profile.is_admin, timezone=profile.timezone)

    async def refresh_home(self, user_id: str, force: bool = False) -> None:
        try:
            await self.home.refresh(user_id, force)
        except SlackApiError as error:
            log.warning("views.publish for %s failed: %s", user_id, error.response.get("error"))

    async def open_dm(self, user_id: str, pressed: Pressed, key: str | None = None) -> None:
        """The channel's "Message the coach" button: start (or greet) in the person's DM."""
        channel = await self.people.dm_channel(user_id)
        await self.turn(Said(user_id, text="start", channel=channel, key=key))
        if pressed.ephemeral and pressed.response_url and pressed.channel:
            where = Where(pressed.channel, user_id, True, response_url=pressed.response_url)
            await self.replies.answer_privately(where, Reply(DM_OPENED), replace_original=True)

    async def member_joined(self, channel: str, user_id: str, is_bot: bool, key: str | None) -> None:
        if key and not await self.ledger.claim(key):
            return
        try:
            async with self.throttles.slot(PLATFORM, channel, True):
                if is_bot:
                    await self.messenger.client.chat_postMessage(
                        channel=channel, text=CHANNEL_INTRO, blocks=open_dm_blocks(CHANNEL_INTRO))
                else:
                    await self.messenger.client.chat_postEphemeral(
                        channel=channel, user=user_id, text=MEMBER_WELCOME,
                        blocks=open_dm_blocks(MEMBER_WELCOME))
        finally:
            if key:
                await self.ledger.done(key)

    async def left_channel(self, channel: str) -> None:
        await self.facts.left_group(PLATFORM, channel)
