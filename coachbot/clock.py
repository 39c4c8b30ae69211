"""Time sources: the real clock and a controllable one for tests and demos."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Protocol
from zoneinfo import available_timezones


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class SimulatedClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("SimulatedClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, instant: datetime) -> None:
        self._now = instant.astimezone(UTC)


def machine_zone_name() -> str:
    """The IANA name of this machine's local zone, or UTC when it cannot be told."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = str(localtime.resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    timezone_file = Path("/etc/timezone")
    if timezone_file.is_file():
        candidates.append(timezone_file.read_text().strip())
    for name in candidates:
        if name and is_valid_zone(name):
            return name
    return "UTC"


@lru_cache(maxsize=1)
def known_zones() -> frozenset[str]:
    """Every IANA zone name tzdata knows (a region folder such as 'Europe' is not one)."""
    return frozenset(available_timezones()) | {"UTC"}


def is_valid_zone(name: str) -> bool:
    # A lookup, never a file open: names like 'Europe', 300 characters or lone surrogates
    # make ZoneInfo raise errors of other kinds.
    return name in known_zones()
