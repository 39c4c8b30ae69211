"""The Slack adapter's settings, read from the environment and checked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from coachbot.logguard import log_messages_from
from coachbot.settings import SettingsError

DEFAULT_API_URL = "https://slack.com/api/"


@dataclass(frozen=True)
class SlackConfig:
    bot_token: str
    signing_secret: str | None = None
    app_token: str | None = None
    api_url: str = DEFAULT_API_URL
    log_messages: bool = False

    @property
    def socket_mode(self) -> bool:
        """Socket Mode when an app-level token is given: no public URL needed."""
        return self.app_token is not None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SlackConfig:
        bot_token = env.get("SLACK_BOT_TOKEN", "").strip()
        if not bot_token.startswith("xoxb-"):
            raise SettingsError("SLACK_BOT_TOKEN: expected the app's Bot User OAuth Token (xoxb-...)")
        app_token = env.get("SLACK_APP_TOKEN", "").strip() or None
        if app_token is not None and not app_token.startswith("xapp-"):
            raise SettingsError("SLACK_APP_TOKEN: expected an app-level token with connections:write "
                                "(xapp-...), or leave it unset for HTTP mode")
        secret = env.get("SLACK_SIGNING_SECRET", "").strip() or None
        if app_token is None and secret is None:
            raise SettingsError("SLACK_SIGNING_SECRET: HTTP mode needs the app's Signing Secret "
                                "(Basic Information > App Credentials); or set SLACK_APP_TOKEN "
                                "for Socket Mode")
        api_url = env.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL
        if not api_url.startswith(("http://", "https://")):
            raise SettingsError(f"SLACK_API_URL={api_url}: expected an http(s) URL such as "
                                f"{DEFAULT_API_URL}")
        return cls(bot_token, secret, app_token, api_url.rstrip("/") + "/", log_messages_from(env))
