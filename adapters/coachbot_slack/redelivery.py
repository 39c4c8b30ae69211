"""Slack delivers some requests more than once; each is handled once all the same.

Slack retries an event it thinks went unanswered, and a captured signed request can be
sent again within the five minutes its signature is good for. Bolt does not dedupe: each
request is named by a key that stays the same across deliveries and claimed in the core's
inbound ledger (coachbot/store/inbound.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from coachbot.store.inbound import InboundLedger, ledger_key

log = logging.getLogger(__name__)
INTERACTIVE = ("block_actions", "view_submission", "shortcut", "message_action")


def delivery_key(body: Mapping[str, object]) -> str | None:
    """The key of a request: an event's id, or the trigger id Slack gives each slash command
    and each press of a button (a new one every time a person acts)."""
    if body.get("type") == "event_callback":
        event_id = body.get("event_id")
        return f"{event_id}" if event_id else None
    trigger = body.get("trigger_id")
    if trigger and (body.get("command") or body.get("type") in INTERACTIVE):
        return f"trigger:{trigger}"
    return None


class DropRetries(AsyncMiddleware):
    """Answers a repeated request with a bare 200, so Slack stops retrying and nothing runs twice."""

    def __init__(self, ledger: InboundLedger) -> None:
        self.ledger = ledger

    async def async_process(self, *, req: AsyncBoltRequest, resp: BoltResponse,
                            next: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:
        key = delivery_key(req.body)
        if key is not None and not self.ledger.take(key):
            retry = (req.headers.get("x-slack-retry-num") or ["none"])[0][:8]
            log.info("Slack request %s delivered again (retry %s): already handled", ledger_key(key), retry)
            return BoltResponse(status=200, body="")
        await next()
        return resp
