"""Settings from the environment: every variable read and checked here, each error naming it."""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import sys
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from coachbot.clock import is_valid_zone

PREFIX = "COACHBOT_"
MIN_SECRET_LENGTH = 32
MAKE_SECRET = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                       r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")
_MENTOR = re.compile(r"^([a-z][a-z0-9_-]*):([^\s:@;,]+)$")
_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg", "postgresql+psycopg")


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


def content_minimum(variable: str, default: int) -> int:
    """A floor on the curriculum's size (COACHBOT_CONTENT_MIN_TRACKS, COACHBOT_CONTENT_MIN_LESSONS)."""
    raw = os.environ.get(variable, "").strip()
    if raw and not (raw.isdecimal() and int(raw) >= 1):
        raise SettingsError(f"{variable}={raw[:40]}: expected a whole number of at least 1")
    return int(raw) if raw else default


def _hhmm(text: str) -> time:
    hours, _, minutes = text.strip().partition(":")
    if not (hours.isdecimal() and minutes.isdecimal() and int(hours) < 24 and int(minutes) < 60):
        raise ValueError(f"'{text}' is not a 24-hour HH:MM time")
    return time(int(hours), int(minutes))


def _off(raw: object) -> bool:
    return isinstance(raw, str) and raw.strip().lower() in ("off", "none", "no", "false", "0", "")


class Settings(BaseSettings):
    """The core's settings; platforms read their own (see each adapter's config)."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, frozen=True, extra="ignore",
                                      populate_by_name=True, hide_input_in_errors=True)

    database_url: str = Field(default_factory=default_database_url)
    mentor_contact: str = "ask in your group chat, where mentors read along"
    mentors: Annotated[frozenset[str], NoDecode] = frozenset()
    reminder_after: Annotated[timedelta | None, NoDecode] = Field(
        default=timedelta(hours=4), validation_alias="COACHBOT_REMINDER_AFTER_HOURS")
    quiet_hours: Annotated[tuple[time, time] | None, NoDecode] = (time(21), time(8))
    delivery_tick_seconds: float = Field(default=20, ge=1, le=3600)
    # 0: retry transient errors for as long as the message may still go out that day.
    delivery_max_attempts: int = Field(default=0, ge=0, le=1000, strict=True)
    delivery_concurrency: int = Field(default=8, ge=1, le=256, strict=True)
    # How long finished outbox rows and handled events are kept; None (off) keeps them all.
    retention: Annotated[timedelta | None, NoDecode] = Field(
        default=timedelta(days=90), validation_alias="COACHBOT_RETENTION_DAYS")
    log_format: Literal["text", "json"] = "text"
    # The Redis that every worker shares the platforms' rate limits through.
    redis_url: str | None = None
    redis_prefix: str = "coachbot"
    startup_retry_seconds: float = Field(default=5, ge=0.1, le=600)
    http_host: str = "0.0.0.0"
    http_port: int = Field(default=8080, ge=0, le=65535, strict=True)
    log_level: str = "INFO"
    faq_lexical: bool = False
    # The address where people reach `coachbot run` (for dashboard links), and the key that
    # signs those links; the key is required once the address is set.
    public_url: str | None = None
    secret_key: str | None = Field(default=None, repr=False)

    @field_validator("public_url", mode="before")
    @classmethod
    def _public_url(cls, value: Any) -> str | None:
        raw = str(value or "").strip()
        if not raw:
            return None
        parsed = urlsplit(raw)
        if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.query or parsed.fragment:
            raise ValueError("expected an http(s) address such as https://coach.example.org "
                             "(no query or #fragment)")
        return raw.rstrip("/")

    @field_validator("secret_key", mode="before")
    @classmethod
    def _secret_key(cls, value: Any) -> str | None:
        raw = str(value or "").strip()
        if raw and len(raw) < MIN_SECRET_LENGTH:
            raise ValueError(f"too short ({len(raw)} characters); use at least {MIN_SECRET_LENGTH}, "
                             f"for example the output of: {MAKE_SECRET}")
        return raw or None

    @model_validator(mode="after")
    def _dashboard_needs_a_key(self) -> Settings:
        if self.public_url and not self.secret_key:
            raise ValueError(f"{PREFIX}SECRET_KEY: required when {PREFIX}PUBLIC_URL is set (it signs "
                             f"the mentors' dashboard links); generate one with: {MAKE_SECRET}")
        return self

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("expected a database URL such as sqlite+aiosqlite:///path/coachbot.db "
                             "or postgresql+asyncpg://user@host/db") from None
        if url.drivername not in _DRIVERS:
            raise ValueError(f"the driver '{url.drivername}' is not supported; use one of "
                             f"{', '.join(_DRIVERS)}")
        return value

    @field_validator("mentors", mode="before")
    @classmethod
    def _mentors(cls, value: Any) -> frozenset[str]:
        if not isinstance(value, str):
            return frozenset(value)
        entries = [part.strip() for part in value.split(",") if part.strip()]
        for entry in entries:
            if ";" in entry or " " in entry:
                raise ValueError(f"'{entry}': separate mentors with commas, e.g. telegram:123,slack:U0123")
            if entry.startswith("@") or "@" in entry:
                raise ValueError(f"'{entry}': use the numeric user id, not the @username "
                                 "(see the README for how to find it)")
            match = _MENTOR.match(entry)
            if match is None:
                raise ValueError(f"'{entry}': expected platform:user_id, e.g. telegram:123456789")
            if match.group(1) == "telegram" and not match.group(2).isdecimal():
                raise ValueError(f"'{entry}': a Telegram user id is a number")
        return frozenset(entries)

    @field_validator("reminder_after", mode="before")
    @classmethod
    def _reminder_after(cls, value: Any) -> timedelta | None:
        if not isinstance(value, str):
            return value  # type: ignore[no-any-return]
        if _off(value):
            return None
        try:
            hours = float(value)
        except ValueError:
            raise ValueError("expected hours from 0.25 to 23, or off") from None
        if not 0.25 <= hours <= 23:
            raise ValueError("expected hours from 0.25 to 23, or off")
        return timedelta(hours=hours)

    @field_validator("quiet_hours", mode="before")
    @classmethod
    def _quiet_hours(cls, value: Any) -> tuple[time, time] | None:
        if not isinstance(value, str):
            return value  # type: ignore[no-any-return]
        if _off(value):
            return None
        start, sep, end = value.strip().partition("-")
        if not sep:
            raise ValueError("expected HH:MM-HH:MM, e.g. 21:00-08:00, or off")
        window = (_hhmm(start), _hhmm(end))
        if window[0] == window[1]:
            raise ValueError("start and end are the same; use off instead")
        return window

    @field_validator("delivery_max_attempts", "delivery_concurrency", "http_port", mode="before")
    @classmethod
    def _whole(cls, value: Any) -> Any:
        if isinstance(value, str):
            if not value.strip().isdecimal():
                raise ValueError("expected a whole number")
            return int(value)
        return value

    @field_validator("retention", mode="before")
    @classmethod
    def _retention(cls, value: Any) -> timedelta | None:
        if not isinstance(value, str):
            return value  # type: ignore[no-any-return]
        if value.strip().lower() in ("off", "never", "no"):
            return None
        if not value.strip().isdecimal() or not 1 <= int(value) <= 36500:
            raise ValueError("expected whole days from 1 to 36500, or off")
        return timedelta(days=int(value))

    @field_validator("log_format", mode="before")
    @classmethod
    def _log_format(cls, value: Any) -> str:
        found = str(value).strip().lower() or "text"
        if found not in ("text", "json"):
            raise ValueError("expected text or json")
        return found

    @field_validator("redis_prefix", mode="before")
    @classmethod
    def _redis_prefix(cls, value: Any) -> str:
        raw = str(value).strip()
        if not raw or any(ch.isspace() for ch in raw) or len(raw) > 100:
            raise ValueError("expected a short key prefix without spaces, one per bot, e.g. coachbot")
        return raw

    @field_validator("redis_url", mode="before")
    @classmethod
    def _redis_url(cls, value: Any) -> str | None:
        raw = str(value or "").strip()
        if raw and not raw.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("expected redis://host:6379/0 (or rediss:// for TLS, unix:// for a socket)")
        return raw or None

    @field_validator("http_host")
    @classmethod
    def _host(cls, value: str) -> str:
        try:
            ipaddress.ip_address(value.strip("[]"))
        except ValueError:
            if not _HOSTNAME.match(value):
                raise ValueError("expected an IP address or a host name, e.g. 0.0.0.0 or "
                                 "127.0.0.1") from None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, value: Any) -> str:
        level = str(value).strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}")
        return level

    @property
    def log_level_number(self) -> int:
        return int(logging.getLevelName(self.log_level))


def _variable(loc: tuple[int | str, ...]) -> str:
    name = str(loc[0]) if loc else ""
    if name.startswith(PREFIX):  # an alias is the variable's own name
        return name
    field = Settings.model_fields.get(name)
    alias = field.validation_alias if field is not None else None
    return alias if isinstance(alias, str) else f"{PREFIX}{name.upper()}"


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment (and `overrides`); a bad value raises one SettingsError line."""
    check_machine_zone()
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        message = str(err["msg"]).removeprefix("Value error, ")
        if not err["loc"]:  # a rule across settings: its message names the variables
            raise SettingsError(message) from None
        variable = _variable(tuple(err["loc"]))
        raw = os.environ.get(variable)
        secret = "SECRET" in variable or "TOKEN" in variable
        shown = f"{variable}={raw}" if raw is not None and len(raw) <= 200 and not secret else variable
        raise SettingsError(f"{shown}: {message}") from None


def check_machine_zone() -> None:
    """TZ, when set, must name a zone: the terminal chat's clock and defaults follow it."""
    raw = os.environ.get("TZ", "").lstrip(":")
    if raw and not raw.startswith("/") and not is_valid_zone(raw):
        raise SettingsError(f"TZ={raw}: expected a time zone such as Europe/Berlin or UTC "
                            "(a city's zone, not a region)")
