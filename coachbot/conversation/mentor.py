"""Mentor commands in a group: push, schedule, report, digest.

Who may use them is decided before these run (see `guard`); each takes the turn's context.
"""

from __future__ import annotations

from coachbot.conversation.context import Context
from coachbot.groups.chart import charts_available, render_png
from coachbot.groups.lessons import queue_group_lesson
from coachbot.groups.planning import first_day
from coachbot.groups.report import build_report, render_text
from coachbot.groups.roles import REFUSAL, is_mentor
from coachbot.localtime import format_hhmm, local_date, parse_hhmm, resolve_zone, zone_problem
from coachbot.messages import ChatKind, Reply
from coachbot.store.models import Group

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_weekday(text: str) -> int | None:
    key = text.strip().lower()
    for index, name in enumerate(WEEKDAYS):
        if len(key) >= 3 and name.startswith(key):
            return index
    return None


def is_group_mentor(ctx: Context) -> bool:
    """Whether the person writing may steer the group this turn came from."""
    return (ctx.incoming.chat_kind == ChatKind.GROUP and ctx.group is not None
            and is_mentor(ctx.incoming, ctx.settings.mentors))


def guard(ctx: Context, command: str, usage: str) -> Reply | None:
    """Why `command` may not run here (a private refusal where it matters), or None."""
    if ctx.incoming.chat_kind != ChatKind.GROUP or ctx.group is None:
        return Reply(f"{command} works in a group chat you mentor: type it there. ({usage})")
    if not is_mentor(ctx.incoming, ctx.settings.mentors):
        return Reply(REFUSAL.format(command=command), private=True)
    return None


def group_of(ctx: Context) -> Group:
    assert ctx.group is not None, "mentor commands run only in a group (see guard)"
    return ctx.group


async def report(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    figures = await build_report(ctx.repo.session, group_of(ctx), ctx.now)
    image = render_png(figures) if charts_available() else None
    return [Reply(render_text(figures), image=image, image_name="group-report.png")]



async def schedule(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    group, content = group_of(ctx), ctx.content
    usage = ("Use schedule HH:MM [zone] [track <id>], for example schedule 09:00 "
             "Europe/Berlin track engagement, or schedule off.")
    if args and args[0].lower() == "off":
        group.schedule_time = None
        return [Reply("Group schedule off: no more daily group lessons here.")]
    at = parse_hhmm(args[0]) if args else None
    if at is None:
        return [Reply(f"I couldn't read that as a time. {usage}")]
    rest = list(args[1:])
    track_id = group.schedule_track or content.default_track.id
    if len(rest) >= 2 and rest[-2].lower() == "track":
        track_id = rest[-1].lower()
        rest = rest[:-2]
    track = content.track(track_id)
    if track is None:
        ids = ", ".join(t.id for t in content.tracks)
        return [Reply(f"There's no track '{track_id}'. Tracks: {ids}.")]
    zone = group.timezone
    if rest:
        found = resolve_zone(" ".join(rest))
        if found is None:
            problem, _ = zone_problem(" ".join(rest))
            return [Reply(f"{problem} {usage}")]
        zone = found
    if track.id != group.schedule_track:
        group.position = 0
    group.schedule_time, group.timezone, group.schedule_track = format_hhmm(at), zone, track.id
    group.schedule_from = first_day(ctx.now, zone, at)
    upcoming = (f"lesson {group.position + 1}: {track.lessons[group.position].title}"
                if group.position < len(track.lessons) else "nothing: the track is done")
    when = "today" if group.schedule_from == local_date(ctx.now, zone) else "tomorrow"
    return [Reply(f"Scheduled: a group lesson every day at {group.schedule_time} ({zone}) "
                  f"from {track.title}, starting {when}. Next up is {upcoming}.")]



async def digest(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    group = group_of(ctx)
    if args and args[0].lower() == "off":
        group.digest_weekday = None
        return [Reply("Weekly digest off.")]
    weekday = parse_weekday(args[0]) if args else None
    at = parse_hhmm(args[1]) if len(args) > 1 else None
    if weekday is None or at is None:
        return [Reply("Use digest <weekday> HH:MM, for example digest monday 09:00, "
                      "or digest off.")]
    group.digest_weekday, group.digest_time = weekday, format_hhmm(at)
    return [Reply(f"Weekly digest on: I'll post the group report here every "
                  f"{WEEKDAYS[weekday].title()} at {group.digest_time} ({group.timezone}).")]



async def push(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    """Queue a lesson for the group through the outbox, so it goes out once, within limits."""
    group, content, now = group_of(ctx), ctx.content, ctx.now
    key = args[0].lower() if args else ""
    if not key:
        return [Reply("Use push <lesson id> or push next, for example push engagement-3.")]
    if key == "next":
        track = content.track(group.schedule_track or "") or content.default_track
        if group.position >= len(track.lessons):
            return [Reply(f"This group has had every lesson in {track.title}. Push a lesson by "
                          "id, or pick another track with schedule HH:MM track <id>.")]
        lesson_id = track.lessons[group.position].id
    else:
        found = content.lesson(key)
        if found is None:
            return [Reply(f"There's no lesson '{key[:40]}'. Lesson ids look like "
                          f"{content.default_track.lessons[0].id}; push next sends the "
                          "group's next one.")]
        lesson_id = key
    queued = await queue_group_lesson(ctx.repo.session, group, lesson_id, now)
    if not queued:
        return [Reply(f"{lesson_id} was already pushed to this group today; it goes out once.")]
    if key == "next":
        group.schedule_track = group.schedule_track or content.default_track.id
        group.position += 1
    ctx.queued = True
    return [Reply(f"Queued: lesson {lesson_id} goes out to the group in a moment.")]
