"""Settings from the environment, each named and checked."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
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


def _ids(variable: str) -> frozenset[str]:
    raw = os.environ.get(variable, "")
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=default_database_url)
    mentor_contact: str = field(default_factory=lambda: os.environ.get(
        "COACHBOT_MENTOR_CONTACT", "ask in your group chat, where mentors read along"))
    mentors: frozenset[str] = field(default_factory=lambda: _ids("COACHBOT_MENTORS"))
