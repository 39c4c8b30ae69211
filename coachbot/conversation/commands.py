"""Every command, declared once: name, aliases, usage, who may use it, and its handler.

`help`, Telegram's command menu, Slack's usage text, the unknown-command suggestions and
`content check` all read this registry.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, process

from coachbot.conversation import account, lessons, mentor, onboarding, path, plan, tracks
from coachbot.conversation.context import Context
from coachbot.messages import Reply
from coachbot.platform import command_prefixes

Handler = Callable[[Context, tuple[str, ...]], Awaitable[list[Reply]]]


class Role(StrEnum):
    LEARNER = "learner"
    MENTOR = "mentor"


@dataclass(frozen=True)
class Command:
    name: str
    usage: str  # shown in help: "time HH:MM: change your daily delivery time"
    handler: Handler
    role: Role = Role.LEARNER
    aliases: tuple[str, ...] = ()
    anywhere: bool = False  # a mentor command that works in a private chat too

    @property
    def summary(self) -> str:
        """'Change your daily delivery time': the usage without its syntax, for menus."""
        text = self.usage.split(": ", 1)[-1].strip()
        return text[:1].upper() + text[1:]


async def show_help(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    return [Reply(help_text(mentor.is_group_mentor(ctx)))]


REGISTRY: tuple[Command, ...] = (
    Command("start", "start: begin (what brings you here, a track, your time zone and a delivery "
            "time)", onboarding.start),
    Command("today", "today: show today's lesson again", lessons.today),
    Command("lesson", "lesson <id>: read a lesson you've had, or where any track begins",
            lessons.open_lesson),
    Command("next", "next: take the next lesson now", lessons.next_lesson),
    Command("done", "done: mark the current lesson done", lessons.done),
    Command("progress", "progress: lessons done, your streak, when the next lesson arrives",
            lessons.progress, aliases=("stats", "status")),
    Command("plan", "plan: your own answers along the way, as one note to keep", plan.show),
    Command("tracks", "tracks: list the tracks", tracks.list_tracks),
    Command("track", "track <id>: switch track (progress in each track is kept)", tracks.switch_track),
    Command("path", "path [who for]: your tracks in order; path business (say) sets what "
            "brings you here", path.show_path),
    Command("time", "time HH:MM: change your daily delivery time", tracks.set_time),
    Command("tz", "tz <Area/City>: change your time zone (a city works too)", tracks.zone),
    Command("reminders", "reminders on|off: a gentle nudge when a check-in is unanswered",
            tracks.reminders),
    Command("pause", "pause: no lessons until you resume (nothing is lost)", account.pause),
    Command("resume", "resume: continue with the next lesson", account.resume),
    Command("stop", "stop: no more messages (progress is kept)", account.stop),
    Command("forget", "forget: delete everything stored about you", account.forget),
    Command("help", "help: this list", show_help),
    Command("push", "push <lesson id | next>: send a lesson to this group now", mentor.push, Role.MENTOR),
    Command("schedule", "schedule HH:MM [zone] [track <id>] | schedule off: a daily group lesson",
            mentor.schedule, Role.MENTOR),
    Command("report", "report: how this group is doing", mentor.report, Role.MENTOR),
    Command("digest", "digest <weekday> HH:MM | digest off: post the report weekly", mentor.digest,
            Role.MENTOR),
    Command("dashboard", "dashboard | dashboard revoke: a private link to your groups' dashboard, or "
            "sign out", mentor.dashboard, Role.MENTOR, anywhere=True),
)
BY_NAME = {command.name: command for command in REGISTRY}
# The views the platforms read: name -> usage, and every alias -> its command.
COMMANDS = {c.name: c.usage for c in REGISTRY if c.role == Role.LEARNER}
MENTOR_COMMANDS = {c.name: c.usage for c in REGISTRY if c.role == Role.MENTOR}
ALL_COMMANDS = {**COMMANDS, **MENTOR_COMMANDS}
ALIASES = {alias: c.name for c in REGISTRY for alias in c.aliases}
# Words that are no command but clearly mean one: suggested, never run (skip would drop a lesson).
NEAR_MISSES = {"skip": "next"}


def help_text(for_mentor: bool = False) -> str:
    lines = ["Here is what I understand (with or without a leading /):"]
    lines += [f"  {usage}" for usage in COMMANDS.values()]
    if for_mentor:
        lines.append("In a group, mentors can also use:")
        lines += [f"  {usage}" for usage in MENTOR_COMMANDS.values()]
    lines.append("Anything else you type, I'll try to answer from the FAQ.")
    return "\n".join(lines)


@dataclass(frozen=True)
class Parsed:
    """What a line of text asks for: a command with arguments, or free text."""

    command: str | None
    args: tuple[str, ...]
    text: str
    slash: bool = False
    unknown: str | None = None
    suggestion: str | None = None


def parse(text: str) -> Parsed:
    """Commands work with or without a leading '/', in any case, with '@botname' stripped."""
    cleaned = text.strip()
    for prefix in command_prefixes():  # the real command comes after the platform's own (/coach)
        if cleaned.lower().startswith(prefix.lower()):
            cleaned = cleaned[len(prefix):].strip()
    parts = cleaned.split()
    if not parts:
        return Parsed(None, (), cleaned)
    first = parts[0]
    slash = first.startswith("/")
    word = first.lstrip("/").split("@", 1)[0].lower()
    word = ALIASES.get(word, word)
    if word in ALL_COMMANDS:
        return Parsed(word, tuple(parts[1:]), cleaned, slash)
    if word in NEAR_MISSES and len(parts) == 1:
        return Parsed(None, (), cleaned, slash, unknown=word, suggestion=NEAR_MISSES[word])
    if slash:
        return Parsed(None, (), cleaned, True, unknown=word, suggestion=closest_command(word))
    if len(parts) <= 2 and word.isalpha():
        guess = closest_command(word, cutoff=80)
        if guess:
            return Parsed(None, (), cleaned, False, unknown=word, suggestion=guess)
    return Parsed(None, (), cleaned)


def closest_command(word: str, cutoff: float = 60) -> str | None:
    if len(word) < 3:
        return None
    found = process.extractOne(word, list(ALL_COMMANDS), scorer=fuzz.ratio, score_cutoff=cutoff)
    return found[0] if found else None


async def run(ctx: Context, parsed: Parsed) -> list[Reply]:
    """Run a parsed command, after checking that this person may use it here."""
    assert parsed.command is not None
    command = BY_NAME[parsed.command]
    if command.role == Role.MENTOR:
        refusal = mentor.guard(ctx, command.name, command.usage, command.anywhere)
        if refusal is not None:
            return [refusal]
    return await command.handler(ctx, parsed.args)


def unknown_reply(parsed: Parsed) -> Reply:
    shown = f"/{parsed.unknown}" if parsed.slash else (parsed.unknown or "")
    hint = f" Did you mean {parsed.suggestion}?" if parsed.suggestion else ""
    return Reply(f"I don't know the command '{shown}'.{hint} Type help to see all commands.")
