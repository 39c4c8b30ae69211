"""Settings from the environment, each named and checked."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path


class SettingsError(Exception):
    """A setting has a value the program cannot use; the message names it."""


def default_data_dir() -> Path:
    explicit = os.environ.get("COACHBOT_DATA_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "coachbot"


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def default_database_url() -> str:
    return os.environ.get("COACHBOT_DATABASE_URL") or sqlite_url(default_data_dir() / "coachbot.db")


def default_content_dir() -> Path:
    """COACHBOT_CONTENT_DIR, else the source checkout's content/, else the installed copy."""
    explicit = os.environ.get("COACHBOT_CONTENT_DIR")
    if explicit:
        path = Path(explicit)
        if not (path / "tracks").is_dir():
            raise SettingsError(f"COACHBOT_CONTENT_DIR={explicit}: expected a folder with tracks/ inside")
        return path
    checkout = Path(__file__).resolve().parent.parent / "content"
    installed = Path(sys.prefix) / "share" / "coachbot" / "content"
    for candidate in (checkout, installed):
        if (candidate / "tracks").is_dir():
            return candidate
    raise SettingsError("no content found: set COACHBOT_CONTENT_DIR to a folder with tracks/ inside")


def _number(variable: str, default: float, low: float, high: float) -> float:
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{variable}={raw}: expected a number from {low:g} to {high:g}") from None
    if not low <= value <= high:
        raise SettingsError(f"{variable}={raw}: expected a number from {low:g} to {high:g}")
    return value


def _hhmm(variable: str, text: str) -> time:
    hours, _, minutes = text.strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise SettingsError(f"{variable}: '{text}' is not a 24-hour HH:MM time")
    return time(int(hours), int(minutes))


def reminder_after_from_env() -> timedelta | None:
    """COACHBOT_REMINDER_AFTER_HOURS: hours after a lesson before an open check-in is nudged; 0 or off."""
    raw = os.environ.get("COACHBOT_REMINDER_AFTER_HOURS", "").strip().lower()
    if raw in ("off", "0", "no", "false"):
        return None
    hours = _number("COACHBOT_REMINDER_AFTER_HOURS", 4, 0.25, 23)
    return timedelta(hours=hours)


def quiet_hours_from_env() -> tuple[time, time] | None:
    """COACHBOT_QUIET_HOURS: 'HH:MM-HH:MM' in each learner's local time, or off."""
    raw = os.environ.get("COACHBOT_QUIET_HOURS", "21:00-08:00").strip().lower()
    if raw in ("off", "none", "no", ""):
        return None
    start, sep, end = raw.partition("-")
    if not sep:
        raise SettingsError(f"COACHBOT_QUIET_HOURS={raw}: expected HH:MM-HH:MM, e.g. 21:00-08:00, or off")
    window = (_hhmm("COACHBOT_QUIET_HOURS", start), _hhmm("COACHBOT_QUIET_HOURS", end))
    if window[0] == window[1]:
        raise SettingsError(f"COACHBOT_QUIET_HOURS={raw}: start and end are the same; use off instead")
    return window


def retention_from_env() -> timedelta | None:
    """COACHBOT_RETENTION_DAYS: how long finished outbox rows and handled events are kept; or off."""
    raw = os.environ.get("COACHBOT_RETENTION_DAYS", "").strip().lower()
    if raw in ("off", "never", "no"):
        return None
    return timedelta(days=_number("COACHBOT_RETENTION_DAYS", 90, 1, 36500))


def log_format_from_env() -> str:
    """COACHBOT_LOG_FORMAT: text (one readable line per event) or json (one JSON object per line)."""
    raw = os.environ.get("COACHBOT_LOG_FORMAT", "text").strip().lower() or "text"
    if raw not in ("text", "json"):
        raise SettingsError(f"COACHBOT_LOG_FORMAT={raw}: expected text or json")
    return raw


def redis_url_from_env() -> str | None:
    """COACHBOT_REDIS_URL: the Redis that every worker shares the platforms' rate limits through."""
    raw = os.environ.get("COACHBOT_REDIS_URL", "").strip()
    if raw and not raw.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError(f"COACHBOT_REDIS_URL={raw}: expected redis://host:6379/0 "
                            "(or rediss:// for TLS, unix:// for a socket)")
    return raw or None


def redis_prefix_from_env() -> str:
    raw = os.environ.get("COACHBOT_REDIS_PREFIX", "coachbot").strip()
    if not raw or any(ch.isspace() for ch in raw) or len(raw) > 100:
        raise SettingsError(f"COACHBOT_REDIS_PREFIX={raw!r}: expected a short key prefix without "
                            "spaces, one per bot, e.g. coachbot")
    return raw


def _ids(variable: str) -> frozenset[str]:
    raw = os.environ.get(variable, "")
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=default_database_url)
    mentor_contact: str = field(default_factory=lambda: os.environ.get(
        "COACHBOT_MENTOR_CONTACT", "ask in your group chat, where mentors read along"))
    mentors: frozenset[str] = field(default_factory=lambda: _ids("COACHBOT_MENTORS"))
    reminder_after: timedelta | None = field(default_factory=reminder_after_from_env)
    quiet_hours: tuple[time, time] | None = field(default_factory=quiet_hours_from_env)
    delivery_tick_seconds: float = field(default_factory=lambda: _number(
        "COACHBOT_DELIVERY_TICK_SECONDS", 20, 1, 3600))
    # 0: retry transient errors for as long as the message may still go out that day.
    delivery_max_attempts: int = field(default_factory=lambda: int(_number(
        "COACHBOT_DELIVERY_MAX_ATTEMPTS", 0, 0, 1000)))
    delivery_concurrency: int = field(default_factory=lambda: int(_number(
        "COACHBOT_DELIVERY_CONCURRENCY", 8, 1, 256)))
    retention: timedelta | None = field(default_factory=retention_from_env)
    log_format: str = field(default_factory=log_format_from_env)
    redis_url: str | None = field(default_factory=redis_url_from_env)
    redis_prefix: str = field(default_factory=redis_prefix_from_env)
    startup_retry_seconds: float = field(default_factory=lambda: _number(
        "COACHBOT_STARTUP_RETRY_SECONDS", 5, 0.1, 600))
