"""Command names, their usage lines, and parsing of what a person typed."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

# name -> usage shown in help; the same spelling on every platform.
COMMANDS: dict[str, str] = {
    "start": "start: begin (pick a track, your time zone and a delivery time)",
    "today": "today: show today's lesson again",
    "next": "next: take the next lesson now",
    "done": "done: mark the current lesson done",
    "progress": "progress: lessons done, your streak, when the next lesson arrives",
    "tracks": "tracks: list the tracks",
    "track": "track <id>: switch track (progress in each track is kept)",
    "time": "time HH:MM: change your daily delivery time",
    "tz": "tz <Area/City>: change your time zone (a city works too)",
    "reminders": "reminders on|off: a gentle nudge when a check-in is unanswered",
    "pause": "pause: no lessons until you resume (nothing is lost)",
    "resume": "resume: continue with the next lesson",
    "stop": "stop: no more messages (progress is kept)",
    "forget": "forget: delete everything stored about you",
    "help": "help: this list",
}

MENTOR_COMMANDS: dict[str, str] = {
    "push": "push <lesson id | next>: send a lesson to this group now",
    "schedule": "schedule HH:MM [zone] [track <id>] | schedule off: a daily group lesson",
    "report": "report: how this group is doing",
    "digest": "digest <weekday> HH:MM | digest off: post the report weekly",
    "dashboard": "dashboard | dashboard revoke: a private link to your groups' dashboard, or sign out",
}

ALL_COMMANDS = {**COMMANDS, **MENTOR_COMMANDS}
ALIASES = {"stats": "progress", "status": "progress", "lesson": "today", "skip": "next"}


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
    if cleaned.lower().startswith("/coach"):  # Slack's slash command carries the real one after it
        cleaned = cleaned[len("/coach"):].strip()
    parts = cleaned.split()
    if not parts:
        return Parsed(None, (), cleaned)
    first = parts[0]
    slash = first.startswith("/")
    word = first.lstrip("/").split("@", 1)[0].lower()
    word = ALIASES.get(word, word)
    if word in ALL_COMMANDS:
        return Parsed(word, tuple(parts[1:]), cleaned, slash)
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
