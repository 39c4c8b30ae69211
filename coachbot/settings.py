"""Settings from the environment, each named and checked."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from urllib.parse import urlsplit


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


def _ids(variable: str) -> frozenset[str]:
    raw = os.environ.get(variable, "")
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


def public_url_from_env() -> str | None:
    """COACHBOT_PUBLIC_URL: the address where people reach `coachbot run` (for dashboard links)."""
    raw = os.environ.get("COACHBOT_PUBLIC_URL", "").strip()
    if not raw:
        return None
    parsed = urlsplit(raw)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.query or parsed.fragment:
        raise SettingsError(f"COACHBOT_PUBLIC_URL={raw}: expected an http(s) address such as "
                            "https://coach.example.org (no query or #fragment)")
    return raw.rstrip("/")


MIN_SECRET_LENGTH = 32


def secret_key_from_env() -> str | None:
    """COACHBOT_SECRET_KEY: signs dashboard links; never printed."""
    raw = os.environ.get("COACHBOT_SECRET_KEY", "").strip()
    if raw and len(raw) < MIN_SECRET_LENGTH:
        raise SettingsError(
            f"COACHBOT_SECRET_KEY: too short ({len(raw)} characters); use at least "
            f"{MIN_SECRET_LENGTH}, for example the output of: "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))'")
    return raw or None


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
    delivery_max_attempts: int = field(default_factory=lambda: int(_number(
        "COACHBOT_DELIVERY_MAX_ATTEMPTS", 5, 1, 50)))
    delivery_concurrency: int = field(default_factory=lambda: int(_number(
        "COACHBOT_DELIVERY_CONCURRENCY", 8, 1, 256)))
    public_url: str | None = field(default_factory=public_url_from_env)
    secret_key: str | None = field(default_factory=secret_key_from_env, repr=False)

    def __post_init__(self) -> None:
        if self.public_url and not self.secret_key:  # the dashboard is on: its links need a key
            raise SettingsError(
                "COACHBOT_SECRET_KEY: required when COACHBOT_PUBLIC_URL is set (it signs the "
                "mentors' dashboard links); generate one with: "
                "python -c 'import secrets; print(secrets.token_urlsafe(32))'")
