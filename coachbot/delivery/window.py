"""When a message may go out: quiet hours, and the end of the local day it belongs to."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from coachbot.localtime import at_local, end_of_day

Window = tuple[time, time]


def in_window(at: time, window: Window) -> bool:
    """Whether a wall-clock time falls in [start, end), a window that may wrap past midnight."""
    start, end = window
    if start < end:
        return start <= at < end
    return at >= start or at < end


def exempt(chosen: time, quiet: Window | None) -> bool:
    """A learner who picked a delivery time inside quiet hours has opted out of them."""
    return quiet is None or in_window(chosen, quiet)


def may_send(instant: datetime, zone: str, chosen: time, quiet: Window | None) -> bool:
    if exempt(chosen, quiet):
        return True
    assert quiet is not None
    return not in_window(instant.astimezone(ZoneInfo(zone)).time(), quiet)


def window_end(day: date, starts: time, zone: str, chosen: time, quiet: Window | None) -> datetime:
    """The instant from which a message due at `starts` on local `day` is no longer sent.

    That is the next start of quiet hours or the end of that local day, whichever comes first:
    a lesson held up by downtime or retries goes out late the same day, never at night and
    never on a later day.
    """
    midnight = end_of_day(day, zone)
    if exempt(chosen, quiet):
        return midnight
    assert quiet is not None
    if quiet[0] > starts:
        return min(at_local(day, quiet[0], zone), midnight)
    return midnight
