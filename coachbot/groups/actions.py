"""What a mentor can change about a group: push a lesson, set or stop the daily schedule and
the weekly digest. The chat commands and the dashboard's forms both call these, so each
rule lives once; every function changes the group in the caller's unit of work and returns
the answer to show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.content.models import Content
from coachbot.groups.lessons import queue_group_lesson
from coachbot.groups.planning import first_day
from coachbot.localtime import format_hhmm, local_date, parse_hhmm, resolve_zone, zone_problem
from coachbot.store.models import Group

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Outcome:
    """The answer to a mentor's action; `ok` is False when nothing changed."""

    text: str
    ok: bool = True
    queued: bool = False  # something was put in the outbox: wake the scheduler


def parse_weekday(text: str) -> int | None:
    key = text.strip().lower()
    for index, name in enumerate(WEEKDAYS):
        if len(key) >= 3 and name.startswith(key):
            return index
    return None


def upcoming(content: Content, group: Group) -> str:
    """What the group's next scheduled or `push next` lesson is."""
    track = content.track(group.schedule_track or "") or content.default_track
    if group.position >= len(track.lessons):
        return f"nothing: the group has had every lesson in {track.title}"
    return f"lesson {group.position + 1}: {track.lessons[group.position].title}"


async def push_lesson(session: AsyncSession, content: Content, group: Group, key: str,
                      now: datetime) -> Outcome:
    """Queue a lesson (an id, or "next") for the group through the outbox: sent once, within limits."""
    key = key.strip().lower()
    if not key:
        return Outcome("Name a lesson to push, or next for the group's next one.", ok=False)
    if key == "next":
        track = content.track(group.schedule_track or "") or content.default_track
        if group.position >= len(track.lessons):
            return Outcome(f"This group has had every lesson in {track.title}. Push a lesson by "
                           "id, or pick another track for the schedule.", ok=False)
        lesson_id = track.lessons[group.position].id
    elif content.lesson(key) is None:
        return Outcome(f"There's no lesson '{key[:40]}'. Lesson ids look like "
                       f"{content.default_track.lessons[0].id}; next sends the group's next one.",
                       ok=False)
    else:
        lesson_id = key
    if not await queue_group_lesson(session, group, lesson_id, now):
        return Outcome(f"{lesson_id} was already pushed to this group today; it goes out once.",
                       ok=False)
    if key == "next":
        group.schedule_track = group.schedule_track or content.default_track.id
        group.position += 1
    return Outcome(f"Queued: lesson {lesson_id} goes out to the group in a moment.", queued=True)


def set_schedule(content: Content, group: Group, at_text: str, zone_text: str, track_text: str,
                 now: datetime) -> Outcome:
    """A daily group lesson at `at_text` (HH:MM) in a zone (blank: the group's) from a track
    (blank: the group's current one)."""
    at = parse_hhmm(at_text)
    if at is None:
        return Outcome("I couldn't read that as a time.", ok=False)
    track_id = track_text.strip().lower() or group.schedule_track or content.default_track.id
    track = content.track(track_id)
    if track is None:
        ids = ", ".join(t.id for t in content.tracks)
        return Outcome(f"There's no track '{track_id[:40]}'. Tracks: {ids}.", ok=False)
    zone = group.timezone
    if zone_text.strip():
        found = resolve_zone(zone_text)
        if found is None:
            return Outcome(zone_problem(zone_text)[0], ok=False)
        zone = found
    if track.id != group.schedule_track:
        group.position = 0
    group.schedule_time, group.timezone, group.schedule_track = format_hhmm(at), zone, track.id
    group.schedule_from = first_day(now, zone, at)
    when = "today" if group.schedule_from == local_date(now, zone) else "tomorrow"
    return Outcome(f"Scheduled: a group lesson every day at {group.schedule_time} ({zone}) "
                   f"from {track.title}, starting {when}. Next up is {upcoming(content, group)}.")


def stop_schedule(group: Group) -> Outcome:
    group.schedule_time = None
    return Outcome("Group schedule off: no more daily group lessons here.")


def set_digest(group: Group, weekday_text: str, at_text: str) -> Outcome:
    weekday, at = parse_weekday(weekday_text), parse_hhmm(at_text)
    if weekday is None or at is None:
        return Outcome("I need a weekday and a 24-hour time, for example monday 09:00.", ok=False)
    group.digest_weekday, group.digest_time = weekday, format_hhmm(at)
    return Outcome(f"Weekly digest on: I'll post the group report here every "
                   f"{WEEKDAYS[weekday].title()} at {group.digest_time} ({group.timezone}).")


def stop_digest(group: Group) -> Outcome:
    group.digest_weekday = None
    return Outcome("Weekly digest off.")


def schedule_summary(content: Content, group: Group) -> str:
    """The schedule as set, in a sentence (for the dashboard)."""
    if group.schedule_time is None:
        return "No daily group lesson."
    track = content.track(group.schedule_track or "") or content.default_track
    return (f"A group lesson every day at {group.schedule_time} ({group.timezone}) from "
            f"{track.title}. Next up is {upcoming(content, group)}.")


def digest_summary(group: Group) -> str:
    if group.digest_weekday is None or group.digest_time is None:
        return "No weekly digest."
    return (f"The group report every {WEEKDAYS[group.digest_weekday].title()} at "
            f"{group.digest_time} ({group.timezone}).")
