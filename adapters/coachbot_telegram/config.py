"""The Telegram settings, read from the environment and checked."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from coachbot.logguard import log_messages_from
from coachbot.settings import SettingsError

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_WEBHOOK_PATH = "/telegram/webhook"
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]{2,}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@dataclass(frozen=True)
class TelegramConfig:
    token: str
    api_base_url: str = DEFAULT_API_BASE_URL
    webhook_url: str | None = None
    webhook_secret: str = ""
    log_messages: bool = False

    @property
    def bot_id(self) -> str:
        """The bot's own user id: the part of the token before the colon (not a secret)."""
        return self.token.split(":", 1)[0]

    @property
    def webhook_path(self) -> str:
        """Where the shared HTTP server listens for updates: the path of TELEGRAM_WEBHOOK_URL."""
        path = urlsplit(self.webhook_url or "").path.rstrip("/")
        return path or DEFAULT_WEBHOOK_PATH

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TelegramConfig:
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not _TOKEN.match(token):
            raise SettingsError("TELEGRAM_BOT_TOKEN: expected the token BotFather gave you, "
                                "like 123456789:AAH... (digits, a colon, then letters)")
        base = env.get("TELEGRAM_API_BASE_URL", "").strip() or DEFAULT_API_BASE_URL
        _check_url("TELEGRAM_API_BASE_URL", base, "e.g. http://localhost:8081/bot")
        webhook = env.get("TELEGRAM_WEBHOOK_URL", "").strip() or None
        if webhook is not None:
            _check_url("TELEGRAM_WEBHOOK_URL", webhook, "e.g. https://coach.example.org/telegram/webhook")
        secret = env.get("TELEGRAM_WEBHOOK_SECRET", "").strip() or derived_secret(token)
        if not _SECRET.match(secret):
            raise SettingsError("TELEGRAM_WEBHOOK_SECRET: expected 1 to 256 characters from "
                                "A-Z, a-z, 0-9, _ and -")
        return cls(token, base, webhook, secret, log_messages_from(env))


def derived_secret(token: str) -> str:
    """A webhook secret that stays the same across restarts and workers, known only with the token."""
    return hmac.new(token.encode(), b"coachbot telegram webhook", hashlib.sha256).hexdigest()


def _check_url(variable: str, value: str, example: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"{variable}={value}: expected an http(s) URL, {example}")
