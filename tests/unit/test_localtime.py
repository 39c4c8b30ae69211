"""Wall-clock rules with real IANA zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from coachbot.localtime import at_local, next_delivery, parse_hhmm, resolve_zone, suggest_zones


def test_parse_hhmm_accepts_24_hour_times_only() -> None:
    assert parse_hhmm("07:30") == time(7, 30)
    assert parse_hhmm("7:05") == time(7, 5)
    assert parse_hhmm("23:59") == time(23, 59)
    for bad in ("25:99", "24:00", "7pm", "", "12:60", "noon", "0730"):
        assert parse_hhmm(bad) is None, bad


def test_zone_names_and_cities_resolve() -> None:
    assert resolve_zone("Europe/Berlin") == "Europe/Berlin"
    assert resolve_zone("europe/berlin") == "Europe/Berlin"
    assert resolve_zone("Berlin") == "Europe/Berlin"
    assert resolve_zone("new york") == "America/New_York"
    assert resolve_zone("Mars/Olympus") is None
    assert resolve_zone("../../etc/passwd") is None


def test_wrong_zones_get_close_suggestions() -> None:
    assert "America/New_York" in suggest_zones("Amerca/New_Yrok")
    assert "Europe/Berlin" in suggest_zones("Berlinn")


def test_next_delivery_is_local_and_skips_a_day_already_served() -> None:
    now = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # 07:00 in Berlin
    assert next_delivery(now, "Europe/Berlin", time(9), False) == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert next_delivery(now, "Europe/Berlin", time(9), True) == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)


def test_a_time_skipped_by_spring_forward_moves_on_by_the_gap() -> None:
    instant = at_local(date(2026, 3, 8), time(2, 30), "America/New_York")
    assert instant == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT


def test_a_repeated_autumn_time_happens_once() -> None:
    instant = at_local(date(2026, 11, 1), time(1, 30), "America/New_York")
    assert instant == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # the first 01:30 (EDT)
