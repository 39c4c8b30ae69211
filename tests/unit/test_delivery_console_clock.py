"""The terminal's simulated clock reads durations and instants the way people type them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from coachbot_console.simulated import parse_duration, parse_now


@pytest.mark.parametrize(("text", "expected"), [
    ("90m", timedelta(minutes=90)), ("3h", timedelta(hours=3)), ("1d", timedelta(days=1)),
    ("1h30m", timedelta(hours=1, minutes=30)), ("2 hours", timedelta(hours=2)),
    ("45min", timedelta(minutes=45)), ("1d 2h", timedelta(days=1, hours=2)), ("30s", timedelta(seconds=30)),
])
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "soon", "3x", "-1h", "1.5h", "h", "3h and then some"])
def test_what_is_not_a_duration(text: str) -> None:
    assert parse_duration(text) is None


def test_now_with_an_offset_is_that_instant() -> None:
    assert parse_now("2026-03-07T08:00-05:00", "Europe/Berlin") == datetime(2026, 3, 7, 13, 0, tzinfo=UTC)


def test_now_without_an_offset_is_local_to_the_machine_zone() -> None:
    assert parse_now("2026-03-07T08:00", "Europe/Berlin") == datetime(2026, 3, 7, 7, 0, tzinfo=UTC)
    # A wall time the spring-forward change skips moves on by the gap, as lesson times do.
    assert parse_now("2026-03-29T02:30", "Europe/Berlin") == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_a_bad_now_names_the_format() -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_now("next tuesday", "UTC")
