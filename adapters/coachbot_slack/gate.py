"""Slack's HTTP requests are checked before anything reads them: the signature, then the body.

Bolt would parse the body first and check the signature afterwards, so an unsigned body
that does not parse, or a timestamp that is not a number, ended in a 500; and it logs a
refused request's whole body. Here an unsigned, forged or stale request gets 401, a signed
body that is not a Slack payload gets 400, and each refusal is one log line without the body.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)
TIMESTAMP = re.compile(r"[0-9]{1,15}")  # ASCII digits only: int() would take "١٢" or " 1_0"
MAX_AGE = 5 * 60  # seconds; what Slack's own verifier allows
# Bolt reads these parts of a payload without checking what they are.
OBJECTS = ("event", "view", "container", "channel", "message", "state", "workflow_step")
OBJECT_LISTS = ("actions", "authorizations")
TEXTS = ("type", "command", "callback_id", "trigger_id", "response_url", "event_id")
EITHER = ("user", "team", "enterprise")  # an id, or an object with one


def shape_problem(body: dict[str, Any]) -> str | None:
    """What in a parsed payload is not the kind of value Slack sends there, if anything."""
    if body.get("type") == "block_actions" and not body.get("actions"):
        return "a button press without actions"
    return part_problem(body) or event_problem(body.get("event", {}))


def part_problem(body: dict[str, Any]) -> str | None:
    for key in OBJECTS:
        if key in body and not isinstance(body[key], dict):
            return f"{key} is not an object"
    for key in OBJECT_LISTS:
        if key in body and not (isinstance(body[key], list) and all(isinstance(i, dict) for i in body[key])):
            return f"{key} is not a list of objects"
    for key in TEXTS:
        if key in body and not isinstance(body[key], str):
            return f"{key} is not text"
    for key in EITHER:
        if key in body and not isinstance(body[key], str | dict | None):
            return f"{key} is neither an id nor an object"
    return None


def event_problem(event: dict[str, Any]) -> str | None:
    if not isinstance(event.get("type", ""), str):
        return "event.type is not text"
    if any(not isinstance(event.get(key), dict | None) for key in ("message", "previous_message")):
        return "event.message is not an object"
    return None


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


async def body_of(request: web.Request) -> bytes:
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:  # aiohttp's limit (client_max_size, 1 MB)
        raise Refused(413, "the body is larger than 1 MB") from None


class RequestGate:
    def __init__(self, signing_secret: str) -> None:
        self.verifier = SignatureVerifier(signing_secret)

    async def open(self, request: web.Request) -> AsyncBoltRequest | web.Response:
        """The request for Bolt, or the refusal to send back."""
        try:
            text = self.signed_text(await body_of(request), request.headers.get("X-Slack-Request-Timestamp"),
                                    request.headers.get("X-Slack-Signature"))
            return self.parsed(text, request)
        except Refused as refused:
            log.warning("Slack request refused with %d: %s (from %s)", refused.status, refused.reason,
                        request.remote)
            return web.json_response({"error": refused.reason}, status=refused.status)

    def signed_text(self, raw: bytes, timestamp: str | None, signature: str | None) -> str:
        if not timestamp or not signature:
            raise Refused(401, "no signature")
        if not TIMESTAMP.fullmatch(timestamp):
            raise Refused(401, "the timestamp is not a number")
        if abs(time.time() - int(timestamp)) > MAX_AGE:
            raise Refused(401, "the timestamp is more than 5 minutes off")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(401, "the body is not UTF-8, so Slack did not sign it") from None
        if not self.verifier.is_valid(text, timestamp, signature):
            raise Refused(401, "the signature does not match")
        return text

    @staticmethod
    def parsed(text: str, request: web.Request) -> AsyncBoltRequest:
        try:
            bolt_request = AsyncBoltRequest(body=text, query=request.query_string,
                                            headers=request.headers)  # type: ignore[arg-type]
        except Exception:  # any way a body fails to parse: it is not a Slack payload
            raise Refused(400, "the body is not a Slack payload") from None
        if not isinstance(bolt_request.body, dict):
            raise Refused(400, "the body is not a Slack payload")
        problem = shape_problem(bolt_request.body)
        if problem is not None:
            raise Refused(400, f"not a Slack payload: {problem}")
        return bolt_request
