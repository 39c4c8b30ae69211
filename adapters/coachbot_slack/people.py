"""What Slack says about a person (time zone, name, admin or owner) and their DM with the app."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from coachbot.localtime import resolve_zone

log = logging.getLogger(__name__)
# Admin rights can change at any time: look again after a short while.
PROFILE_TTL = 120.0
MAX_CACHED = 5000


@dataclass(frozen=True)
class Profile:
    user_id: str
    name: str = ""
    timezone: str | None = None
    is_admin: bool = False


def profile_from(user: dict[str, object]) -> Profile:
    details = user.get("profile")
    fields = details if isinstance(details, dict) else {}
    name = next((str(v) for v in (fields.get("display_name"), fields.get("real_name"),
                                  user.get("real_name"), user.get("name")) if v), "")
    zone = user.get("tz")
    return Profile(
        user_id=str(user.get("id", "")), name=name,
        timezone=str(zone) if isinstance(zone, str) and resolve_zone(zone) else None,
        is_admin=any(bool(user.get(key)) for key in ("is_admin", "is_owner", "is_primary_owner")))


class People:
    """users.info and conversations.open, cached so a chatty learner costs few API calls."""

    def __init__(self, client: AsyncWebClient, ttl: float = PROFILE_TTL) -> None:
        self.client = client
        self.ttl = ttl
        self._profiles: dict[str, tuple[float, Profile]] = {}
        self._dms: dict[str, str] = {}

    async def profile(self, user_id: str) -> Profile:
        cached = self._profiles.get(user_id)
        if cached is not None and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        try:
            response = await self.client.users_info(user=user_id)
        except SlackApiError as error:  # answer anyway; the core falls back to its defaults
            log.warning("users.info for %s failed: %s", user_id, error.response.get("error"))
            return Profile(user_id)
        user = response.get("user")
        found = profile_from(user) if isinstance(user, dict) else Profile(user_id)
        if len(self._profiles) >= MAX_CACHED:
            self._profiles.clear()
        self._profiles[user_id] = (time.monotonic(), found)
        return found

    async def dm_channel(self, user_id: str) -> str:
        """The id of the app's DM with this person (opened if need be)."""
        known = self._dms.get(user_id)
        if known is None:
            response = await self.client.conversations_open(users=user_id)
            channel = response.get("channel")
            known = str(channel.get("id")) if isinstance(channel, dict) else user_id
            if len(self._dms) >= MAX_CACHED:
                self._dms.clear()
            self._dms[user_id] = known
        return known
