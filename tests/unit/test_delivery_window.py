"""Quiet hours and send windows in local time, including a DST change at midnight."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from coachbot.delivery.window import in_window, may_send, window_end

QUIET = (time(21, 0), time(8, 0))


def test_quiet_hours_wrap_past_midnight() -> None:
    assert in_window(time(21, 0), QUIET) and in_window(time(2, 0), QUIET)
    assert in_window(time(7, 59), QUIET)
    assert not in_window(time(8, 0), QUIET) and not in_window(time(20, 59), QUIET)
    assert in_window(time(13, 0), (time(12, 0), time(14, 0)))


def test_nothing_in_quiet_hours_unless_the_learner_chose_a_time_there() -> None:
    night = datetime(2026, 3, 2, 22, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert not may_send(night, "Europe/Berlin", time(9, 0), QUIET)
    assert may_send(night, "Europe/Berlin", time(22, 30), QUIET)
    assert may_send(night, "Europe/Berlin", time(9, 0), None)
    assert not may_send(night, "Asia/Tokyo", time(9, 0), QUIET)  # 06:00 the next day there
    assert may_send(night.replace(hour=2), "Asia/Tokyo", time(9, 0), QUIET)  # 10:00 there


def test_a_lesson_may_go_out_late_until_quiet_hours_or_the_day_ends() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    ends = window_end(date(2026, 3, 2), time(9, 0), "Europe/Berlin", time(9, 0), QUIET)
    assert ends == datetime(2026, 3, 2, 21, 0, tzinfo=berlin)
    owl = window_end(date(2026, 3, 2), time(22, 30), "Europe/Berlin", time(22, 30), QUIET)
    assert owl == datetime(2026, 3, 3, 0, 0, tzinfo=berlin)
    daytime_quiet = (time(1, 0), time(6, 0))
    late = window_end(date(2026, 3, 2), time(9, 0), "Europe/Berlin", time(9, 0), daytime_quiet)
    assert late == datetime(2026, 3, 3, 0, 0, tzinfo=berlin)


def test_the_day_ends_correctly_where_midnight_is_skipped() -> None:
    # Santiago moves its clocks forward at 00:00 on 2026-09-06, so that day starts at 01:00.
    ends = window_end(date(2026, 9, 5), time(22, 0), "America/Santiago", time(22, 0), QUIET)
    assert ends.astimezone(ZoneInfo("America/Santiago")).replace(tzinfo=None) == datetime(2026, 9, 6, 1, 0)
