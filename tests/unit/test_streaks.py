"""Streaks count consecutive local days with a completed lesson, with one forgiven gap a week."""

from __future__ import annotations

from datetime import date, timedelta

from coachbot.streaks import current_streak

TODAY = date(2026, 3, 10)


def days(*offsets: int) -> list[date]:
    return [TODAY - timedelta(days=o) for o in offsets]


def test_consecutive_days_count_and_today_may_still_be_open() -> None:
    assert current_streak(days(0, 1, 2), TODAY).days == 3
    assert current_streak(days(1, 2), TODAY).days == 2
    assert current_streak(days(2, 3), TODAY).days == 0
    assert current_streak([], TODAY).days == 0


def test_without_grace_a_gap_breaks_the_run() -> None:
    assert current_streak(days(0, 1, 3, 4), TODAY).days == 2


def test_one_missed_day_per_week_is_forgiven() -> None:
    streak = current_streak(days(0, 1, 3, 4), TODAY, grace_every=7)
    assert streak.days == 4 and streak.graced == (TODAY - timedelta(days=2),)


def test_two_gaps_within_a_week_break_it() -> None:
    assert current_streak(days(0, 2, 4, 5), TODAY, grace_every=7).days == 2


def test_gaps_a_week_apart_are_each_forgiven() -> None:
    done = [d for d in days(*range(0, 20)) if d not in days(3, 11)]
    assert current_streak(done, TODAY, grace_every=7).days == 18


def test_two_missed_days_in_a_row_break_it() -> None:
    assert current_streak(days(0, 3, 4), TODAY, grace_every=7).days == 1
