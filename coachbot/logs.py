"""Logging for `coachbot run`: readable lines, or one JSON object per line
(COACHBOT_LOG_FORMAT=json) for a log collector.

Log lines never carry message text (the code logs ids and outcomes, not what was said), and
anything shaped like a platform token or a database password is masked on the way out, in
case a library puts one into an error message.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from coachbot.settings import SettingsError

SECRETS = (
    re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}"),  # a Telegram bot token (also inside "bot123:...")
    re.compile(r"\bx(?:ox[abprs]|app)-[A-Za-z0-9-]{8,}"),  # Slack tokens
    re.compile(r"(?<=://)([^:/@\s]+):[^@/\s]+(?=@)"),  # user:password@ in a URL
)
MASK = "[redacted]"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def redact(text: str) -> str:
    for pattern in SECRETS[:2]:
        text = pattern.sub(MASK, text)
    return SECRETS[2].sub(lambda found: f"{found.group(1)}:{MASK}", text)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, and the error if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, ensure_ascii=False))


def configure(log_format: str, level: str = "INFO") -> None:
    """Send the process's logs to stderr in `log_format` ("text" or "json")."""
    if level.upper() not in LEVELS:
        raise SettingsError(f"COACHBOT_LOG_LEVEL={level}: expected one of {', '.join(LEVELS)}")
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
