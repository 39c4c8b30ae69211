"""Local wall-clock helpers: delivery times, zone names and suggestions."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process

from coachbot.clock import is_valid_zone, known_zones

_HHMM = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")


def parse_hhmm(text: str) -> time | None:
    """'7:30', '07:30', '19.05' -> time; anything else -> None."""
    match = _HHMM.match(text.strip().lower())
    if not match:
        return None
    return time(int(match.group(1)), int(match.group(2)))


def format_hhmm(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    """Lookup keys ('europe/berlin', 'berlin', 'new york') -> canonical zone name."""
    names = sorted(z for z in known_zones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    keys: dict[str, str] = {}
    for name in [*names, "UTC"]:
        keys.setdefault(name.lower(), name)
        city = name.rsplit("/", 1)[-1].replace("_", " ").lower()
        keys.setdefault(city, name)
    return keys


def resolve_zone(text: str) -> str | None:
    """A zone name or city ('Europe/Berlin', 'berlin', 'New York') -> IANA name, else None."""
    if len(text) > ZONE_TEXT_LIMIT:
        return None
    cleaned = text.strip().replace(" ", "_") if "/" in text else text.strip()
    if is_valid_zone(cleaned) and "/" in cleaned:
        return _zones().get(cleaned.lower(), cleaned)
    return _zones().get(cleaned.lower().replace("_", " "))


# Cities shown first when someone names a region instead of a zone; other regions list theirs.
_EXAMPLES = {
    "europe": ("Europe/Berlin", "Europe/London", "Europe/Madrid", "Europe/Warsaw"),
    "america": ("America/New_York", "America/Chicago", "America/Los_Angeles", "America/Sao_Paulo"),
    "asia": ("Asia/Kolkata", "Asia/Tokyo", "Asia/Singapore", "Asia/Dubai"),
    "africa": ("Africa/Lagos", "Africa/Nairobi", "Africa/Johannesburg", "Africa/Cairo"),
    "australia": ("Australia/Sydney", "Australia/Melbourne", "Australia/Perth"),
    "pacific": ("Pacific/Auckland", "Pacific/Honolulu", "Pacific/Fiji"),
    "us": ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"),
    "canada": ("America/Toronto", "America/Vancouver", "America/Halifax"),
    "etc": ("UTC",),
}
ZONE_TEXT_LIMIT = 60


@lru_cache(maxsize=1)
def _regions() -> dict[str, list[str]]:
    """Region folders ('europe', 'america/argentina') -> the zones inside them."""
    regions: dict[str, list[str]] = {}
    for name in sorted(known_zones()):
        parts = name.split("/")
        for depth in range(1, len(parts)):
            regions.setdefault("/".join(parts[:depth]).lower(), []).append(name)
    return regions


def region_cities(text: str, limit: int = 4) -> tuple[str, list[str]] | None:
    """('Europe', ['Europe/Berlin', …]) when `text` names a region rather than a zone."""
    key = text.strip().strip("/").replace(" ", "_").lower()
    zones = _regions().get(key)
    if not zones:
        return None
    examples = [z for z in _EXAMPLES.get(key, ()) if is_valid_zone(z)] or zones
    shown = text.strip().strip("/")
    return shown, examples[:limit]


def zone_problem(text: str) -> tuple[str, list[str]]:
    """Why `text` is not a time zone, in a sentence, and the zones worth offering instead."""
    value = text.strip()
    if not value:
        return "Type a city (Berlin, Tokyo) or a zone such as Europe/Berlin.", []
    if len(value) > ZONE_TEXT_LIMIT:
        return ("That's too long for a time zone name. Type a city (Berlin, Tokyo) or a zone "
                "such as Europe/Berlin."), []
    region = region_cities(value)
    if region is not None:
        name, cities = region
        return f"{name} is a region; which city? {', '.join(cities)}, …", cities
    suggestions = suggest_zones(value)
    hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
    return (f"I don't know the time zone '{value}'.{hint} Type a zone like Europe/Berlin, or a "
            "city like Tokyo."), suggestions


def suggest_zones(text: str, limit: int = 3) -> list[str]:
    """The closest valid zone names to something that is not one."""
    query = text.strip().lower().replace("_", " ")
    if not query:
        return []
    keys = _zones()
    found = process.extract(query, list(keys), scorer=fuzz.WRatio, limit=limit * 4)
    suggestions: list[str] = []
    for key, _score, _index in found:
        zone = keys[key]
        if zone not in suggestions:
            suggestions.append(zone)
        if len(suggestions) == limit:
            break
    return suggestions


def local_date(instant: datetime, zone: str) -> date:
    return instant.astimezone(ZoneInfo(zone)).date()


def at_local(day: date, at: time, zone: str) -> datetime:
    """The UTC instant of wall-clock `at` on `day` in `zone`.

    fold=0 (PEP 495) gives the rules we want: a time skipped by a spring-forward change is
    read with the offset before the change, so it lands after the gap (02:30 becomes 03:30);
    a time repeated in autumn takes its first occurrence.
    """
    return datetime.combine(day, at).replace(tzinfo=ZoneInfo(zone), fold=0).astimezone(UTC)


def end_of_day(day: date, zone: str) -> datetime:
    """The UTC instant local `day` ends in `zone`: the next day's midnight there."""
    return at_local(day + timedelta(days=1), time(0), zone)


def next_delivery(now: datetime, zone: str, at: time, delivered_today: bool) -> datetime:
    """The next daily delivery instant after `now`, skipping today if a lesson already came."""
    today = local_date(now, zone)
    candidate = at_local(today, at, zone)
    if delivered_today or candidate <= now:
        candidate = at_local(today + timedelta(days=1), at, zone)
    return candidate


def describe_local(instant: datetime, zone: str, now: datetime) -> str:
    """'today at 09:00', 'tomorrow at 09:00' or 'Mon 9 Mar at 09:00' in the zone's local time."""
    local = instant.astimezone(ZoneInfo(zone))
    days = (local.date() - local_date(now, zone)).days
    clock = local.strftime("%H:%M")
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"tomorrow at {clock}"
    return f"{local:%a} {local.day} {local:%b} at {clock}"
