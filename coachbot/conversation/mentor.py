"""Mentor commands in a group: push, schedule, report, digest; and dashboard, anywhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coachbot.conversation.commands import MENTOR_COMMANDS, Parsed
from coachbot.dashboard.command import dashboard_command
from coachbot.groups import actions
from coachbot.groups.chart import charts_available, render_png
from coachbot.groups.report import build_report, render_text
from coachbot.groups.roles import REFUSAL, is_mentor
from coachbot.messages import ChatKind, Reply
from coachbot.store.models import Group

if TYPE_CHECKING:
    from coachbot.conversation.coach import Turn

SCHEDULE_USAGE = ("Use schedule HH:MM [zone] [track <id>], for example schedule 09:00 "
                  "Europe/Berlin track engagement, or schedule off.")
DIGEST_USAGE = "Use digest <weekday> HH:MM, for example digest monday 09:00, or digest off."
PUSH_USAGE = "Use push <lesson id> or push next, for example push engagement-3."


class MentorDesk:
    """What a mentor can do in a group; everyone else gets a polite refusal."""

    def __init__(self, turn: Turn, group: Group | None) -> None:
        self.turn = turn
        self.group = group

    async def handle(self, parsed: Parsed) -> list[Reply]:
        command = parsed.command or ""
        incoming = self.turn.incoming
        in_group = incoming.chat_kind == ChatKind.GROUP and self.group is not None
        if command == "dashboard" and (not in_group or is_mentor(incoming, self.turn.coach.settings.mentors)):
            return [Reply(await dashboard_command(self.turn.repo.session, self.turn.learner,
                                                  self.turn.coach.settings, parsed.args, self.turn.now),
                          private=True)]
        if not in_group:
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
        if args and args[0].lower() == "off":
            return self._answer(actions.stop_schedule(self.group), SCHEDULE_USAGE)
        rest = list(args[1:])
        track = ""
        if len(rest) >= 2 and rest[-2].lower() == "track":
            track, rest = rest[-1], rest[:-2]
        outcome = actions.set_schedule(self.turn.content, self.group, args[0] if args else "",
                                       " ".join(rest), track, self.turn.now)
        return self._answer(outcome, SCHEDULE_USAGE)

    async def digest(self, args: tuple[str, ...]) -> list[Reply]:
        assert self.group is not None
        if args and args[0].lower() == "off":
            return self._answer(actions.stop_digest(self.group), DIGEST_USAGE)
        outcome = actions.set_digest(self.group, args[0] if args else "", args[1] if len(args) > 1 else "")
        return self._answer(outcome, DIGEST_USAGE)

    async def push(self, args: tuple[str, ...]) -> list[Reply]:
        assert self.group is not None
        if not args:
            return [Reply(PUSH_USAGE)]
        outcome = await actions.push_lesson(self.turn.repo.session, self.turn.content, self.group,
                                            args[0], self.turn.now)
        self.turn.queued = self.turn.queued or outcome.queued
        return [Reply(outcome.text)]

    @staticmethod
    def _answer(outcome: actions.Outcome, usage: str) -> list[Reply]:
        return [Reply(outcome.text if outcome.ok else f"{outcome.text} {usage}")]
