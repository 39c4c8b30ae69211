"""Mentor commands in a group: push, schedule, report, digest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coachbot.conversation.commands import MENTOR_COMMANDS, Parsed
from coachbot.groups.chart import charts_available, render_png
from coachbot.groups.lessons import queue_group_lesson
from coachbot.groups.planning import first_day
from coachbot.groups.report import build_report, render_text
from coachbot.groups.roles import REFUSAL, is_mentor
from coachbot.localtime import format_hhmm, local_date, parse_hhmm, resolve_zone, zone_problem
from coachbot.messages import ChatKind, Reply
from coachbot.store.models import Group

if TYPE_CHECKING:
    from coachbot.conversation.coach import Turn

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_weekday(text: str) -> int | None:
    key = text.strip().lower()
    for index, name in enumerate(WEEKDAYS):
        if len(key) >= 3 and name.startswith(key):
            return index
    return None


class MentorDesk:
    """What a mentor can do in a group; everyone else gets a polite refusal."""

    def __init__(self, turn: Turn, group: Group | None) -> None:
        self.turn = turn
        self.group = group

    async def handle(self, parsed: Parsed) -> list[Reply]:
        command = parsed.command or ""
        incoming = self.turn.incoming
        if incoming.chat_kind != ChatKind.GROUP or self.group is None:
            return [Reply(f"{command} works in a group chat you mentor: type it there. "
                          f"({MENTOR_COMMANDS[command]})")]
        if not is_mentor(incoming, self.turn.coach.settings.mentors):
            return [Reply(REFUSAL.format(command=command), private=True)]
        handlers = {"push": self.push, "schedule": self.schedule, "report": self.report,
                    "digest": self.digest}
        return await handlers[command](parsed.args)

    async def report(self, args: tuple[str, ...]) -> list[Reply]:
        assert self.group is not None
        report = await build_report(self.turn.repo.session, self.group, self.turn.now)
        image = render_png(report) if charts_available() else None
        return [Reply(render_text(report), image=image, image_name="group-report.png")]

    async def schedule(self, args: tuple[str, ...]) -> list[Reply]:
        assert self.group is not None
        group, content = self.group, self.turn.content
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
        group.schedule_from = first_day(self.turn.now, zone, at)
        upcoming = (f"lesson {group.position + 1}: {track.lessons[group.position].title}"
                    if group.position < len(track.lessons) else "nothing: the track is done")
        when = "today" if group.schedule_from == local_date(self.turn.now, zone) else "tomorrow"
        return [Reply(f"Scheduled: a group lesson every day at {group.schedule_time} ({zone}) "
                      f"from {track.title}, starting {when}. Next up is {upcoming}.")]

    async def digest(self, args: tuple[str, ...]) -> list[Reply]:
        assert self.group is not None
        if args and args[0].lower() == "off":
            self.group.digest_weekday = None
            return [Reply("Weekly digest off.")]
        weekday = parse_weekday(args[0]) if args else None
        at = parse_hhmm(args[1]) if len(args) > 1 else None
        if weekday is None or at is None:
            return [Reply("Use digest <weekday> HH:MM, for example digest monday 09:00, "
                          "or digest off.")]
        self.group.digest_weekday, self.group.digest_time = weekday, format_hhmm(at)
        return [Reply(f"Weekly digest on: I'll post the group report here every "
                      f"{WEEKDAYS[weekday].title()} at {self.group.digest_time} "
                      f"({self.group.timezone}).")]

    async def push(self, args: tuple[str, ...]) -> list[Reply]:
        """Queue a lesson for the group through the outbox, so it goes out once, within limits."""
        assert self.group is not None
        group, content, now = self.group, self.turn.content, self.turn.now
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
        queued = await queue_group_lesson(self.turn.repo.session, group, lesson_id, now)
        if not queued:
            return [Reply(f"{lesson_id} was already pushed to this group today; it goes out once.")]
        if key == "next":
            group.schedule_track = group.schedule_track or content.default_track.id
            group.position += 1
        self.turn.queued = True
        return [Reply(f"Queued: lesson {lesson_id} goes out to the group in a moment.")]
