"""Tracks and personal settings: tracks, track, time, tz, reminders."""

from __future__ import annotations

from collections.abc import Sequence

from coachbot.buttons import PickTrack, PickZone, encode
from coachbot.content.models import Track
from coachbot.conversation import confidence
from coachbot.conversation.context import Context
from coachbot.localtime import format_hhmm, parse_hhmm, resolve_zone, zone_problem
from coachbot.messages import Choice, Reply
from coachbot.store.models import Status
from coachbot.textinput import as_number


def find_track(ctx: Context, text: str, tracks: Sequence[Track] | None = None) -> Track | None:
    """A track by number in the list (`tracks`, as shown; else the content's), id or title."""
    key = text.strip().lower()
    tracks = ctx.content.tracks if tracks is None else tracks
    number = as_number(key)
    if number is not None and 1 <= number <= len(tracks):
        return tracks[number - 1]
    return ctx.content.track(key) or next((t for t in tracks if t.title.lower() == key), None)


async def list_tracks(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    done = await ctx.repo.completed_counts(ctx.learner)
    current = ctx.learner.current_track
    lines = ["Tracks (type track <id> to switch; progress in each is kept):"]
    for i, track in enumerate(ctx.content.tracks, 1):
        marker = "  <- current" if track.id == current else ""
        lines.append(f"{i}. {track.title} [{track.id}]: {done.get(track.id, 0)}/"
                     f"{len(track.lessons)} done{marker}")
    return [Reply("\n".join(lines),
                  tuple(Choice(t.title, encode(PickTrack(t.id))) for t in ctx.content.tracks))]


async def switch_track(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    if not args:
        return await list_tracks(ctx, ())
    track = find_track(ctx, " ".join(args))
    if track is None:
        ids = ", ".join(t.id for t in ctx.content.tracks)
        return [Reply(f"There's no track '{' '.join(args)[:40]}'. Tracks: {ids}. "
                      "Type tracks for details.")]
    ctx.learner.current_track = track.id
    progress = await ctx.repo.progress(ctx.learner, track.id)
    if ctx.learner.status == Status.NEW:
        return [Reply(f"Noted: {track.title}. Type start to set up your daily lessons.")]
    if progress.position >= len(track.lessons):
        return [Reply(f"Switched to {track.title}. You've had every lesson in it already; "
                      "type today to see the last one again.")]
    upcoming = track.lessons[progress.position]
    return [Reply(f"Switched to {track.title}. Your next lesson there is "
                  f"{progress.position + 1} of {len(track.lessons)}: {upcoming.title}. "
                  "Type next to take it now, or wait for your daily lesson."),
            *await confidence.ask_start(ctx, track)]


async def set_time(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    value = " ".join(args)
    at = parse_hhmm(value)
    if at is None:
        shown = f"'{value[:20]}'" if value else "that"
        return [Reply(f"I couldn't read {shown} as a time. Use 24-hour HH:MM, for example "
                      "time 07:30 or time 18:45.")]
    ctx.learner.delivery_time = format_hhmm(at)
    return [Reply(f"Done: your daily lesson now arrives at {ctx.learner.delivery_time} "
                  f"({ctx.zone} time).")]


def set_zone(ctx: Context, value: str) -> list[Reply]:
    zone = resolve_zone(value)
    if zone is None:
        problem, offered = zone_problem(value)
        return [Reply(problem, tuple(Choice(s, encode(PickZone(s))) for s in offered))]
    ctx.learner.timezone = zone
    return [Reply(f"Time zone set to {zone} (it's {ctx.local_now:%H:%M} there now). Lessons "
                  f"arrive at {ctx.learner.delivery_time} {zone} time.")]


async def zone(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    if not args:
        return [Reply(f"Your time zone is {ctx.zone}. To change it, type tz followed by a "
                      "zone or a city, for example tz America/New_York or tz Berlin.")]
    return set_zone(ctx, " ".join(args))


async def reminders(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    choice = args[0].lower() if args else ""
    if choice not in ("on", "off"):
        state = "on" if ctx.learner.reminders else "off"
        return [Reply(f"Reminders are {state}. Type reminders on or reminders off.")]
    ctx.learner.reminders = choice == "on"
    if ctx.learner.reminders:
        return [Reply("Reminders on: if a check-in is still open a few hours after your "
                      "lesson, I'll nudge you once that day.")]
    return [Reply("Reminders off: no more nudges about open check-ins.")]
