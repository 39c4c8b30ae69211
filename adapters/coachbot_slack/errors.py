"""Slack's answers, as the core's messenger errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import ClientConnectorError
from slack_sdk.errors import SlackApiError, SlackRequestError

from coachbot.delivery.ports import RateLimited, RecipientGone, TransientError

# The conversation or person can no longer be written to: retrying will not help.
GONE = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "account_inactive", "user_not_found",
    "user_disabled", "cannot_dm_bot", "messages_tab_disabled", "restricted_action",
    "restricted_action_read_only_channel", "restricted_action_thread_only_channel",
    "team_access_not_granted", "user_not_in_channel",
})
# Slack had a problem of its own; the message surely did not arrive.
TRANSIENT = frozenset({"internal_error", "fatal_error", "service_unavailable", "team_added_to_org"})


def slack_error(error: SlackApiError) -> str:
    data = getattr(error.response, "data", None)
    found = data.get("error") if isinstance(data, dict) else None
    return str(found or f"HTTP {error.response.status_code}")


def retry_after_seconds(error: SlackApiError, default: float = 1.0) -> float:
    raw = error.response.headers.get("Retry-After") or error.response.headers.get("retry-after")
    try:
        return float(raw) if raw is not None else default
    except ValueError:
        return default


def is_rate_limited(error: SlackApiError) -> bool:
    return error.response.status_code == 429 or slack_error(error) == "ratelimited"


def try_later(error: SlackApiError) -> bool:
    """Slack answered "not now": a 429, a 5xx or a problem of its own."""
    return is_rate_limited(error) or slack_error(error) in TRANSIENT or error.response.status_code >= 500


@contextmanager
def as_delivery_errors() -> Iterator[None]:
    """Raise RateLimited, RecipientGone or TransientError for the answers the core acts on."""
    try:
        yield
    except SlackApiError as error:
        code = slack_error(error)
        if is_rate_limited(error):
            raise RateLimited(retry_after_seconds(error), f"slack: {code}") from error
        if code in GONE:
            raise RecipientGone(f"slack: {code}") from error
        if try_later(error):
            raise TransientError(f"slack: {code}") from error
        raise
    except ClientConnectorError as error:  # the request never left this machine
        raise TransientError(f"cannot reach Slack: {error}") from error
    except SlackRequestError as error:  # a file upload failed before anything was posted
        raise TransientError(f"slack upload: {error}") from error
