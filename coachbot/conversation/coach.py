"""The coach: decides what every message means for a learner and what to say back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot import metrics
from coachbot.clock import Clock
from coachbot.content.models import Content, FaqEntry, Track
from coachbot.conversation.commands import MENTOR_COMMANDS, Parsed, parse
from coachbot.conversation.events import PlatformEvents
from coachbot.conversation.mentor import MentorDesk
from coachbot.conversation.render import help_text, lesson_reply, plural
from coachbot.faq.base import FaqMatcher
from coachbot.faq.smalltalk import small_talk
from coachbot.faq.text import clean
from coachbot.groups.membership import ensure_group, ensure_member
from coachbot.localtime import (
    describe_local,
    format_hhmm,
    local_date,
    next_delivery,
    parse_hhmm,
    resolve_zone,
    suggest_zones,
)
from coachbot.messages import ChatKind, Choice, Incoming, Reply
from coachbot.settings import Settings
from coachbot.store.models import Group, Learner, LessonRecord, Status
from coachbot.store.repository import Repository, decode_choices, encode_choices
from coachbot.streaks import current_streak

YES = {"yes", "y", "yes please", "confirm", "delete", "forget"}
ACCEPT_DEFAULT = {"", "ok", "okay", "default", "yes", "y", "keep", "sure", "fine"}
QUESTION_LIMIT = 500
GRACE_EVERY_DAYS = 7
TIME_PRESETS = ("07:00", "09:00", "12:30", "18:00")
COMMON_ZONES = ("Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles",
                "Asia/Kolkata", "Asia/Tokyo")


class Coach:
    """One coach serves every platform; adapters only translate."""

    def __init__(self, content: Content, sessions: async_sessionmaker[AsyncSession], clock: Clock,
                 faq: FaqMatcher, settings: Settings | None = None, default_zone: str = "UTC") -> None:
        self.content = content
        self.sessions = sessions
        self.clock = clock
        self.faq = faq
        self.settings = settings or Settings()
        self.default_zone = default_zone
        # Called after a turn that queued something in the outbox has committed (a mentor's
        # push), so a running scheduler can send it now rather than at its next tick.
        self.queued_listeners: list[Callable[[], None]] = []
        self.events = PlatformEvents(sessions)

    async def handle(self, incoming: Incoming) -> list[Reply]:
        async with self.sessions() as session, session.begin():
            turn = Turn(self, Repository(session), incoming, self.clock.now())
            replies = await turn.run()
        metrics.INBOUND.labels(incoming.platform).inc()
        if turn.queued:
            for listener in self.queued_listeners:
                listener()
        return replies

    def track_of(self, learner: Learner) -> Track:
        """The learner's current track (the first one when unset or no longer in the content)."""
        return self.content.track(learner.current_track or "") or self.content.default_track

    async def deliver_next(self, repo: Repository, learner: Learner, now: datetime) -> Reply | None:
        """Record the next lesson of the learner's current track as delivered now; None when done.

        Both `next` and the scheduler deliver through here, inside the caller's unit of work.
        """
        track = self.track_of(learner)
        learner.current_track = track.id
        progress = await repo.progress(learner, track.id)
        if progress.position >= len(track.lessons):
            return None
        lesson = track.lessons[progress.position]
        await repo.add_record(learner, track.id, lesson.id, now, local_date(now, learner.timezone))
        progress.position += 1
        learner.pending = f"checkin:{lesson.id}"
        return lesson_reply(track, progress.position - 1)

    async def withdraw(self, repo: Repository, learner: Learner, lesson_id: str) -> bool:
        """Undo `deliver_next` for a lesson that surely never reached the learner.

        Only while nothing happened since: not completed, and still the last one in its track.
        """
        record = await repo.record(learner, lesson_id)
        found = self.content.lesson(lesson_id)
        if record is None or found is None or record.completed_at is not None:
            return False
        track, index = found
        progress = await repo.progress(learner, track.id)
        if progress.position != index + 1:
            return False
        await repo.session.delete(record)
        progress.position = index
        if learner.pending == f"checkin:{lesson_id}":
            previous = await repo.latest_record(learner, track.id)
            open_before = previous is not None and previous.completed_at is None
            learner.pending = f"checkin:{previous.lesson_id}" if previous and open_before else None
            learner.choices = None
        return True


Handler = Callable[[tuple[str, ...]], Awaitable[list[Reply]]]


class Turn:
    """One incoming message handled in one unit of work."""

    def __init__(self, coach: Coach, repo: Repository, incoming: Incoming, now: datetime) -> None:
        self.coach = coach
        self.content = coach.content
        self.repo = repo
        self.incoming = incoming
        self.now = now
        self.learner: Learner
        self.group: Group | None = None
        self.forgotten = False
        self.queued = False

    # -- entry ---------------------------------------------------------------------------

    async def run(self) -> list[Reply]:
        self.learner = await self._learner()
        if self.incoming.action:
            replies = await self.on_action(self.incoming.action)
        else:
            replies = await self.on_text(self.incoming.text)
        if not self.forgotten:
            offered = [r for r in replies if r.choices]
            if offered:
                self.learner.choices = encode_choices([c.action for c in offered[-1].choices])
        return replies

    async def _learner(self) -> Learner:
        inc = self.incoming
        learner = await self.repo.learner(inc.platform, inc.user_id)
        if learner is None:
            zone = inc.timezone if inc.timezone and resolve_zone(inc.timezone) else self.coach.default_zone
            # Someone first seen in a group gets lessons in their own private chat, never the group's.
            private_chat = inc.chat if inc.chat_kind == ChatKind.PRIVATE else inc.user_id
            learner = await self.repo.add_learner(inc.platform, inc.user_id, private_chat,
                                                  inc.display_name[:200], zone, self.now)
        learner.last_seen_at = self.now
        if inc.display_name:
            learner.display_name = inc.display_name[:200]
        if inc.chat_kind == ChatKind.PRIVATE:
            learner.chat_id = inc.chat
            learner.unreachable = False  # they just wrote to us, so we can write back
        else:
            session = self.repo.session
            self.group = await ensure_group(session, inc.platform, inc.chat, self.now,
                                            zone=self.coach.default_zone)
            await ensure_member(session, self.group, learner, self.now)
        return learner

    @property
    def zone(self) -> str:
        return self.learner.timezone

    @property
    def today(self) -> datetime:
        return self.now.astimezone(ZoneInfo(self.zone))

    # -- text ----------------------------------------------------------------------------

    async def on_text(self, raw: str) -> list[Reply]:
        text = raw.strip()
        parsed = parse(text)
        pending = self.learner.pending or ""
        if pending.startswith("onboard:") and parsed.command is None and not parsed.unknown:
            return await self.onboarding_step(pending.removeprefix("onboard:"), text)
        if text.isdigit() and parsed.command is None:
            return await self.pick_number(int(text))
        if pending == "forget":
            self.learner.pending = None
            if text.lower() in YES:
                return await self.forget_confirmed()
            if parsed.command is None and not parsed.unknown:
                return [Reply("Okay, I've kept everything. Nothing was deleted.")]
        if pending.startswith("checkin:") and parsed.command is None and not parsed.unknown:
            reflection = await self.maybe_reflection(pending.removeprefix("checkin:"), text)
            if reflection is not None:
                return reflection
        if parsed.command:
            return await self.run_command(parsed)
        if parsed.unknown:
            return [self.unknown_command(parsed)]
        if not text:
            return [Reply("I didn't catch anything there. Type help to see what I can do, "
                          "or ask me a question.")]
        return await self.answer_question(text)

    async def run_command(self, parsed: Parsed) -> list[Reply]:
        assert parsed.command is not None
        if parsed.command in MENTOR_COMMANDS:
            return await self.mentor_command(parsed)
        handlers: dict[str, Handler] = {
            "start": self.cmd_start, "today": self.cmd_today, "next": self.cmd_next,
            "done": self.cmd_done, "progress": self.cmd_progress, "tracks": self.cmd_tracks,
            "track": self.cmd_track, "time": self.cmd_time, "tz": self.cmd_tz,
            "reminders": self.cmd_reminders, "pause": self.cmd_pause, "resume": self.cmd_resume,
            "stop": self.cmd_stop, "forget": self.cmd_forget, "help": self.cmd_help,
        }
        return await handlers[parsed.command](parsed.args)

    def unknown_command(self, parsed: Parsed) -> Reply:
        shown = f"/{parsed.unknown}" if parsed.slash else (parsed.unknown or "")
        hint = f" Did you mean {parsed.suggestion}?" if parsed.suggestion else ""
        return Reply(f"I don't know the command '{shown}'.{hint} Type help to see all commands.")

    async def pick_number(self, number: int) -> list[Reply]:
        actions = decode_choices(self.learner.choices)
        if 1 <= number <= len(actions):
            return await self.on_action(actions[number - 1])
        if actions:
            return [Reply(f"Pick a number from 1 to {len(actions)}, or type help.")]
        return [Reply("There's nothing to choose right now. Type help to see what I can do.")]

    # -- buttons -------------------------------------------------------------------------

    async def on_action(self, action: str) -> list[Reply]:
        kind, _, rest = action.partition(":")
        if kind == "answer":
            lesson_id, _, index = rest.rpartition(":")
            return await self.answer_checkin(lesson_id, int(index) if index.isdigit() else -1)
        if kind == "done":
            return await self.complete_lesson(rest)
        if kind == "track":
            if (self.learner.pending or "") == "onboard:track":
                return await self.onboarding_step("track", rest)
            return await self.cmd_track((rest,))
        if kind == "tz":
            if (self.learner.pending or "") == "onboard:tz":
                return await self.onboarding_step("tz", rest)
            return await self.cmd_tz((rest,))
        if kind == "time":
            if (self.learner.pending or "") == "onboard:time":
                return await self.onboarding_step("time", rest)
            return await self.cmd_time((rest,))
        if kind == "forget":
            self.learner.pending = None
            if rest == "yes":
                return await self.forget_confirmed()
            return [Reply("Okay, I've kept everything. Nothing was deleted.", edit_previous=True)]
        if kind == "faq":
            entry = next((e for e in self.content.faq if e.id == rest), None)
            if entry is not None:
                return [self.faq_reply(entry)]
        if kind == "cmd":
            return await self.on_text(rest)
        return [Reply("That button has expired. Type help to see what I can do.", rejected_action=True)]

    # -- onboarding ------------------------------------------------------------------------

    async def cmd_start(self, args: tuple[str, ...]) -> list[Reply]:
        learner = self.learner
        if learner.status == Status.NEW:
            learner.pending = "onboard:track"
            return [self.ask_track(welcome=True)]
        if learner.status in (Status.PAUSED, Status.STOPPED):
            learner.status = Status.ACTIVE
            learner.unreachable = False
            return [Reply(f"Welcome back. You're on {self.current_track().title}. "
                          f"Your next lesson arrives {self.next_lesson_when()}. "
                          "Type next to take it now.")]
        return [Reply(f"You're all set: {self.current_track().title}, daily at "
                      f"{learner.delivery_time} ({self.zone}). Type today for your current "
                      "lesson or progress to see how you're doing.")]

    def ask_track(self, welcome: bool = False) -> Reply:
        intro = ("Welcome! I'm your coach for social engagement: one short lesson a day, "
                 "with a small thing to try and a quick check-in.\n\n") if welcome else ""
        lines = [f"{i}. {t.title}: {t.summary}" if t.summary else f"{i}. {t.title}"
                 for i, t in enumerate(self.content.tracks, 1)]
        first = self.content.default_track.title
        text = (f"{intro}Which track would you like to start with?\n" + "\n".join(lines)
                + f"\nReply with a number, or ok for 1. {first}.")
        return Reply(text, tuple(Choice(t.title, f"track:{t.id}") for t in self.content.tracks))

    def ask_zone(self) -> Reply:
        if self.incoming.timezone:  # the platform (or this machine) told us: offer to keep it
            return Reply(
                f"Which time zone are you in? I have {self.zone} (local time there: "
                f"{self.today:%H:%M}). Reply ok to keep it, or type a city or a zone such as "
                "Europe/Berlin or America/New_York.",
                (Choice(f"Keep {self.zone}", f"tz:{self.zone}"),))
        return Reply(
            "Which time zone are you in? Type your city (Berlin, New York, Tokyo...) or a zone "
            "such as Europe/Berlin, or pick one below, so lessons arrive at your local time.",
            tuple(Choice(zone.split("/")[-1].replace("_", " "), f"tz:{zone}") for zone in COMMON_ZONES))

    def ask_time(self) -> Reply:
        return Reply(
            "What time should your daily lesson arrive? Reply ok for 09:00, "
            "or type a time as HH:MM (24-hour), for example 07:30 or 18:45.",
            tuple(Choice(t, f"time:{t}") for t in TIME_PRESETS))

    async def onboarding_step(self, step: str, text: str) -> list[Reply]:
        value = text.strip()
        accept = value.lower() in ACCEPT_DEFAULT
        if step == "track":
            track = self.content.default_track if accept else self.find_track(value)
            if track is None:
                return [Reply(f"I don't have a track '{value[:40]}'."), self.ask_track()]
            self.learner.current_track = track.id
            await self.repo.progress(self.learner, track.id)
            self.learner.pending = "onboard:tz"
            return [Reply(f"Great choice: {track.title}."), self.ask_zone()]
        if step == "tz":
            if not accept:
                replies = self.set_zone(value)
                if self.learner.timezone != resolve_zone(value):
                    return replies
            self.learner.pending = "onboard:time"
            return [self.ask_time()]
        at = parse_hhmm("09:00" if accept else value)
        if at is None:
            return [Reply(f"I couldn't read '{value[:20]}' as a time. Use 24-hour HH:MM, "
                          "for example 07:30 or 18:45."), self.ask_time()]
        self.learner.delivery_time = format_hhmm(at)
        self.learner.pending = None
        self.learner.status = Status.ACTIVE
        confirm = Reply(f"All set. Your lesson arrives every day at {self.learner.delivery_time} "
                        f"({self.zone} time). Here's your first one now:")
        return [confirm, *await self.deliver_next()]

    # -- lessons -------------------------------------------------------------------------

    def current_track(self) -> Track:
        return self.coach.track_of(self.learner)

    def find_track(self, text: str) -> Track | None:
        key = text.strip().lower()
        if key.isdigit() and 1 <= int(key) <= len(self.content.tracks):
            return self.content.tracks[int(key) - 1]
        return self.content.track(key) or next(
            (t for t in self.content.tracks if t.title.lower() == key), None)

    async def deliver_next(self) -> list[Reply]:
        """Deliver the next lesson of the current track now."""
        reply = await self.coach.deliver_next(self.repo, self.learner, self.now)
        return [reply] if reply is not None else [self.track_finished(self.current_track())]

    def track_finished(self, track: Track) -> Reply:
        following = self.content.track(track.next_track or "")
        if following is None:
            return Reply(f"You've finished every lesson in {track.title}. Type tracks to pick "
                         "another one.")
        return Reply(f"You've finished every lesson in {track.title}. Well done. A good next "
                     f"step: {following.title}. Type track {following.id} to switch.",
                     (Choice(f"Start {following.title}", f"track:{following.id}"),))

    async def current_record(self) -> LessonRecord | None:
        return await self.repo.latest_record(self.learner, self.current_track().id)

    async def cmd_today(self, args: tuple[str, ...]) -> list[Reply]:
        if self.learner.status == Status.NEW:
            return [Reply("You haven't started yet. Type start to pick a track and get your "
                          "first lesson.")]
        record = await self.current_record()
        if record is None:
            return [Reply("No lesson in this track yet. Type next to take the first one.")]
        found = self.content.lesson(record.lesson_id)
        if found is None:
            return [Reply("That lesson is no longer in the curriculum. Type next for a new one.")]
        track, index = found
        reply = lesson_reply(track, index)
        if record.completed_at is not None:
            return [Reply(reply.text + "\n(You've already done this one. Type next for another.)",
                          lesson=reply.lesson)]
        return [reply]

    async def cmd_next(self, args: tuple[str, ...]) -> list[Reply]:
        status = self.learner.status
        if status == Status.NEW:
            return [Reply("Let's set you up first: type start.")]
        if status == Status.STOPPED:
            return [Reply("You stopped your lessons. Type start to come back.")]
        return await self.deliver_next()

    async def cmd_done(self, args: tuple[str, ...]) -> list[Reply]:
        record = await self.current_record()
        if record is None:
            return [Reply("There's no lesson to mark yet. Type next to take one.")]
        return await self.complete_lesson(record.lesson_id)

    async def complete_lesson(self, lesson_id: str) -> list[Reply]:
        record = await self.repo.record(self.learner, lesson_id)
        if record is None:
            return [Reply("That lesson hasn't been sent to you yet. Type today to see your "
                          "current one.")]
        if record.completed_at is not None:
            return [Reply("Already marked done. Type next for another lesson, or progress to "
                          "see how you're doing.")]
        self.mark_done(record)
        return [Reply(f"Marked as done. {await self.streak_line()}", edit_previous=True)]

    def mark_done(self, record: LessonRecord) -> None:
        record.completed_at = self.now
        record.completed_on = local_date(self.now, self.zone)
        if self.learner.pending == f"checkin:{record.lesson_id}":
            self.learner.pending = None
            self.learner.choices = None

    async def answer_checkin(self, lesson_id: str, index: int) -> list[Reply]:
        found = self.content.lesson(lesson_id)
        record = await self.repo.record(self.learner, lesson_id)
        if found is None or record is None:
            return [Reply("That check-in isn't one of your lessons. Type today to see yours.")]
        track, position = found
        choices = track.lessons[position].checkin.choices
        if not 0 <= index < len(choices):
            return [Reply(f"Pick a number from 1 to {len(choices)}.")]
        previous = await self.repo.answered(self.learner, lesson_id)
        if previous is not None:
            picked = "" if previous.choice is None else f" (you picked {previous.choice + 1})"
            return [Reply(f"You've already answered this check-in{picked}. Type next for a new "
                          "lesson.")]
        await self.repo.add_answer(self.learner, lesson_id, self.now, choice=index)
        chosen = choices[index]
        if chosen.best:
            text = f"You picked {index + 1}: {chosen.text}\nGood call. {chosen.explanation}"
        else:
            best = next(c for c in choices if c.best)
            text = (f"You picked {index + 1}: {chosen.text}\nNot quite. {chosen.explanation}\n"
                    f"The best move: {best.text} {best.explanation}")
        if record.completed_at is None:
            self.mark_done(record)
            text += f"\nMarked as done. {await self.streak_line()}"
        self.learner.choices = None
        return [Reply(text, edit_previous=True)]

    async def maybe_reflection(self, lesson_id: str, text: str) -> list[Reply] | None:
        found = self.content.lesson(lesson_id)
        if not text or text.endswith("?") or found is None:
            return None
        track, position = found
        if not track.lessons[position].checkin.is_reflection:
            return None
        record = await self.repo.record(self.learner, lesson_id)
        if record is None:
            return None
        await self.repo.add_answer(self.learner, lesson_id, self.now, text=text[:4000])
        if record.completed_at is None:
            self.mark_done(record)
        return [Reply(f"Thanks for reflecting; I've saved it. Marked as done. "
                      f"{await self.streak_line()}")]

    async def streak_line(self) -> str:
        streak = current_streak(await self.repo.done_days(self.learner),
                                local_date(self.now, self.zone), GRACE_EVERY_DAYS)
        if streak.days == 0:
            return "Your streak starts with your next lesson done."
        grace = " (a missed day was forgiven)" if streak.grace_used else ""
        return f"Streak: {plural(streak.days, 'day')}{grace}."

    # -- progress and tracks ---------------------------------------------------------------

    def next_lesson_when(self, delivered_today: bool = False) -> str:
        at = parse_hhmm(self.learner.delivery_time) or parse_hhmm("09:00")
        assert at is not None
        when = next_delivery(self.now, self.zone, at, delivered_today)
        return f"{describe_local(when, self.zone, self.now)} ({self.zone})"

    async def cmd_progress(self, args: tuple[str, ...]) -> list[Reply]:
        if self.learner.status == Status.NEW:
            return [Reply("You haven't started yet. Type start to begin.")]
        track = self.current_track()
        done = await self.repo.completed_counts(self.learner)
        lines = [
            f"Track: {track.title}: {done.get(track.id, 0)} of {len(track.lessons)} lessons done",
            f"Overall: {sum(done.values())} of {self.content.lesson_count} lessons done",
            await self.streak_line(),
        ]
        status = self.learner.status
        if status == Status.PAUSED:
            lines.append("Lessons are paused. Type resume to continue.")
        elif status == Status.STOPPED:
            lines.append("Lessons are stopped. Type start to come back.")
        else:
            position = (await self.repo.positions(self.learner)).get(track.id, 0)
            if position >= len(track.lessons):
                lines.append("You've had every lesson in this track. Type tracks to pick the next.")
            else:
                delivered = await self.repo.delivered_on(self.learner, local_date(self.now, self.zone))
                lines.append(f"Next lesson: {self.next_lesson_when(delivered)}")
        return [Reply("\n".join(lines))]

    async def cmd_tracks(self, args: tuple[str, ...]) -> list[Reply]:
        done = await self.repo.completed_counts(self.learner)
        current = self.learner.current_track
        lines = ["Tracks (type track <id> to switch; progress in each is kept):"]
        for i, track in enumerate(self.content.tracks, 1):
            marker = "  <- current" if track.id == current else ""
            lines.append(f"{i}. {track.title} [{track.id}]: {done.get(track.id, 0)}/"
                         f"{len(track.lessons)} done{marker}")
        return [Reply("\n".join(lines),
                      tuple(Choice(t.title, f"track:{t.id}") for t in self.content.tracks))]

    async def cmd_track(self, args: tuple[str, ...]) -> list[Reply]:
        if not args:
            return await self.cmd_tracks(())
        track = self.find_track(" ".join(args))
        if track is None:
            ids = ", ".join(t.id for t in self.content.tracks)
            return [Reply(f"There's no track '{' '.join(args)[:40]}'. Tracks: {ids}. "
                          "Type tracks for details.")]
        self.learner.current_track = track.id
        progress = await self.repo.progress(self.learner, track.id)
        if self.learner.status == Status.NEW:
            return [Reply(f"Noted: {track.title}. Type start to set up your daily lessons.")]
        if progress.position >= len(track.lessons):
            return [Reply(f"Switched to {track.title}. You've had every lesson in it already; "
                          "type today to see the last one again.")]
        upcoming = track.lessons[progress.position]
        return [Reply(f"Switched to {track.title}. Your next lesson there is "
                      f"{progress.position + 1} of {len(track.lessons)}: {upcoming.title}. "
                      "Type next to take it now, or wait for your daily lesson.")]

    # -- settings ------------------------------------------------------------------------

    async def cmd_time(self, args: tuple[str, ...]) -> list[Reply]:
        value = " ".join(args)
        at = parse_hhmm(value)
        if at is None:
            shown = f"'{value[:20]}'" if value else "that"
            return [Reply(f"I couldn't read {shown} as a time. Use 24-hour HH:MM, for example "
                          "time 07:30 or time 18:45.")]
        self.learner.delivery_time = format_hhmm(at)
        return [Reply(f"Done: your daily lesson now arrives at {self.learner.delivery_time} "
                      f"({self.zone} time).")]

    def set_zone(self, value: str) -> list[Reply]:
        zone = resolve_zone(value)
        if zone is None:
            suggestions = suggest_zones(value)
            shown = value[:40] if value else "(nothing)"
            hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
            return [Reply(f"I don't know the time zone '{shown}'.{hint} Type a zone like "
                          "tz Europe/Berlin, or a city like tz Tokyo.",
                          tuple(Choice(s, f"tz:{s}") for s in suggestions))]
        self.learner.timezone = zone
        return [Reply(f"Time zone set to {zone} (it's {self.today:%H:%M} there now). Lessons "
                      f"arrive at {self.learner.delivery_time} {zone} time.")]

    async def cmd_tz(self, args: tuple[str, ...]) -> list[Reply]:
        if not args:
            return [Reply(f"Your time zone is {self.zone}. To change it, type tz followed by a "
                          "zone or a city, for example tz America/New_York or tz Berlin.")]
        return self.set_zone(" ".join(args))

    async def cmd_reminders(self, args: tuple[str, ...]) -> list[Reply]:
        choice = args[0].lower() if args else ""
        if choice not in ("on", "off"):
            state = "on" if self.learner.reminders else "off"
            return [Reply(f"Reminders are {state}. Type reminders on or reminders off.")]
        self.learner.reminders = choice == "on"
        if self.learner.reminders:
            return [Reply("Reminders on: if a check-in is still open a few hours after your "
                          "lesson, I'll nudge you once that day.")]
        return [Reply("Reminders off: no more nudges about open check-ins.")]

    async def cmd_pause(self, args: tuple[str, ...]) -> list[Reply]:
        if self.learner.status != Status.ACTIVE:
            return [Reply(self.not_active_text())]
        self.learner.status = Status.PAUSED
        return [Reply("Paused. No lessons until you type resume. Your progress is kept.")]

    async def cmd_resume(self, args: tuple[str, ...]) -> list[Reply]:
        if self.learner.status == Status.NEW:
            return [Reply("You haven't started yet. Type start to begin.")]
        if self.learner.status == Status.ACTIVE:
            return [Reply(f"You're not paused. Your next lesson arrives {self.next_lesson_when()}.")]
        self.learner.status = Status.ACTIVE
        self.learner.unreachable = False
        return [Reply(f"Welcome back. You'll continue with your next lesson, "
                      f"{self.next_lesson_when()}. Type next to take it now.")]

    async def cmd_stop(self, args: tuple[str, ...]) -> list[Reply]:
        self.learner.status = Status.STOPPED
        return [Reply("Stopped: I won't send you any more messages. Your progress is kept. "
                      "Type start to come back, or forget to delete everything about you.")]

    def not_active_text(self) -> str:
        if self.learner.status == Status.PAUSED:
            return "You're already paused. Type resume to continue."
        if self.learner.status == Status.STOPPED:
            return "Your lessons are stopped. Type start to come back."
        return "You haven't started yet. Type start to begin."

    async def cmd_forget(self, args: tuple[str, ...]) -> list[Reply]:
        self.learner.pending = "forget"
        return [Reply("This deletes everything I store about you: your settings, progress, "
                      "streak and answers. It cannot be undone. Type yes to confirm; anything "
                      "else keeps your data.",
                      (Choice("Yes, delete everything", "forget:yes"),
                       Choice("No, keep it", "forget:no")))]

    async def forget_confirmed(self) -> list[Reply]:
        await self.repo.forget(self.learner)
        self.forgotten = True
        return [Reply("Done. Everything I stored about you is deleted. If you ever want to "
                      "start again, type start.", edit_previous=True)]

    async def cmd_help(self, args: tuple[str, ...]) -> list[Reply]:
        return [Reply(help_text())]

    async def mentor_command(self, parsed: Parsed) -> list[Reply]:
        return await MentorDesk(self, self.group).handle(parsed)

    # -- questions -----------------------------------------------------------------------

    async def answer_question(self, text: str) -> list[Reply]:
        chat = small_talk(text)
        if chat is not None:
            return [Reply(chat)]
        question = text[:QUESTION_LIMIT]
        result = self.coach.faq.match(question)
        if result.entry is not None:
            return [self.faq_reply(result.entry)]
        choices = tuple(Choice(e.question, f"faq:{e.id}") for e in result.candidates)
        if result.ambiguous and choices:
            return [Reply("I'm not sure which of these you mean. Pick one:", choices)]
        await self.repo.add_faq_miss(self.learner, self.incoming.chat, question, clean(question), self.now)
        maybe = " Maybe one of these is close?" if choices else ""
        return [Reply(
            f"I don't know that one, sorry.{maybe} For anything else, "
            f"{self.coach.settings.mentor_contact}. Type help to see what I can do.", choices)]

    def faq_reply(self, entry: FaqEntry) -> Reply:
        """The answer, pointing to the first related lesson that is still in the curriculum."""
        text = entry.answer.strip()
        related = next((found for found in map(self.content.lesson, entry.lessons) if found), None)
        if related is not None:
            track, index = related
            text += f"\n(Related lesson: {track.lessons[index].title})"
        return Reply(text)
