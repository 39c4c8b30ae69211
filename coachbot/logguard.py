"""What the log may hold: never a token or a secret; people's messages only when asked for.

At DEBUG the platform libraries log what they send and receive: python-telegram-bot the Bot
API URL (which carries the token) and every update and message, slack_sdk request bodies,
aiosqlite the SQL parameters (names, answers, questions). So, on every handler of the root
logger (the ones `coachbot run` sets up), one filter

- replaces each configured secret in every record (message and traceback) with `***`, at
  any level, and
- drops the DEBUG records of libraries other than coachbot's own, unless
  COACHBOT_LOG_MESSAGES=1 asks for them (coachbot's own DEBUG lines never hold message text).

The adapters install it when they read their settings.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from coachbot.settings import SettingsError

MASK = "***"
# Loggers whose DEBUG lines hold no message text: always shown at COACHBOT_LOG_LEVEL=DEBUG.
TEXT_FREE = ("coachbot", "apscheduler", "alembic", "asyncio")
TRUE, FALSE = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}


def log_messages_from(env: Mapping[str, str]) -> bool:
    """COACHBOT_LOG_MESSAGES: whether DEBUG may show message text (off unless set to 1)."""
    raw = env.get("COACHBOT_LOG_MESSAGES", "").strip().lower()
    if raw not in TRUE | FALSE:
        raise SettingsError(f"COACHBOT_LOG_MESSAGES={raw[:40]}: expected 1 (log message text at "
                            "DEBUG) or 0 (never; the default)")
    return raw in TRUE


class LogGuard(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()
        self.messages = False

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO and not self.messages and not record.name.startswith(TEXT_FREE):
            return False
        if self.secrets:
            try:
                self.redact(record)
            except Exception:  # a record that cannot even be formatted: its handler reports that
                return True
        return True

    def redact(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        cleaned = self.clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self.clean(record.stack_info)

    def clean(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text


GUARD = LogGuard()


def guard_logs(secrets: Iterable[str | None], messages: bool) -> LogGuard:
    """Install the guard on every handler the root logger has (once), knowing these secrets."""
    GUARD.secrets.update(secret for secret in secrets if secret)
    GUARD.messages = messages
    for handler in [*logging.getLogger().handlers, logging.lastResort]:
        if handler is not None and GUARD not in handler.filters:
            handler.addFilter(GUARD)
    return GUARD
