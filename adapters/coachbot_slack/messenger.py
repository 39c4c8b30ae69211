"""Posting to Slack: the delivery port (scheduled lessons) and the calls replies are made of."""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from coachbot.delivery.ports import TransientError
from coachbot.messages import Outgoing, Reply
from coachbot_slack.blocks import Block, clip, message_text, reply_blocks
from coachbot_slack.errors import as_delivery_errors

PLATFORM = "slack"
COMMENT_TEXT = 3900


class SlackMessenger:
    """Sends one reply to a conversation (a DM, a channel, or a user id, which Slack routes to
    the app's DM). Not throttled here: callers take the platform's slot around each call."""

    platform = PLATFORM

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def send(self, out: Outgoing) -> str | None:
        with as_delivery_errors():
            return await self.post(out.chat_id, out.reply)

    async def post(self, channel: str, reply: Reply, thread_ts: str | None = None) -> str:
        """Post a reply; returns the message ts (or the file id of an uploaded chart)."""
        if reply.image is not None:
            return await self.upload(channel, reply, thread_ts)
        response = await self.client.chat_postMessage(
            channel=channel, text=message_text(reply), blocks=reply_blocks(reply),
            thread_ts=thread_ts, unfurl_links=False, unfurl_media=False)
        return str(response.get("ts", ""))

    async def upload(self, channel: str, reply: Reply, thread_ts: str | None = None) -> str:
        """A chart goes up as an image file, its text as the comment beside it."""
        title = reply.image_name.rsplit(".", 1)[0].replace("-", " ").capitalize()
        response = await self.client.files_upload_v2(
            channel=channel, file=reply.image, filename=reply.image_name, title=title,
            initial_comment=clip(reply.text, COMMENT_TEXT), thread_ts=thread_ts)
        if reply.choices:
            await self.post(channel, Reply("Pick one:", reply.choices), thread_ts)
        uploaded: dict[str, Any] = response.get("file") or {}
        return str(uploaded.get("id", ""))

    async def update(self, channel: str, ts: str, text: str, blocks: list[Block]) -> None:
        await self.client.chat_update(channel=channel, ts=ts, text=clip(text, 39000), blocks=blocks)

    async def ephemeral(self, channel: str, user: str, reply: Reply, thread_ts: str | None = None) -> None:
        await self.client.chat_postEphemeral(channel=channel, user=user, text=message_text(reply),
                                             blocks=reply_blocks(reply), thread_ts=thread_ts)

    async def respond(self, response_url: str, text: str, blocks: list[Block],
                      replace_original: bool = False) -> None:
        """Answer through a slash command's or button's response_url: seen only by that person."""
        webhook = AsyncWebhookClient(response_url, timeout=int(self.client.timeout))
        try:
            answer = await webhook.send(text=clip(text, 39000), blocks=blocks, response_type="ephemeral",
                                        replace_original=replace_original)
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as error:
            raise TransientError(f"slack response_url unreachable: {type(error).__name__}") from error
        if answer.status_code != 200:
            raise TransientError(f"slack response_url answered {answer.status_code}: {answer.body}")
