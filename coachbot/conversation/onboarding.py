"""Onboarding: `start`, then three questions (track, time zone, delivery time), then lesson one."""

from __future__ import annotations

from coachbot.buttons import PickTime, PickTrack, PickZone, encode
from coachbot.conversation import lessons
from coachbot.conversation.context import Context
from coachbot.conversation.tracks import find_track, set_zone
from coachbot.learning.state import IDLE, Onboarding, OnboardingStep
from coachbot.localtime import format_hhmm, parse_hhmm, resolve_zone
from coachbot.messages import Choice, Reply
from coachbot.store.models import Status

# What counts as "keep the default" at each question.
ACCEPT_DEFAULT = {"", "ok", "okay", "default", "yes", "y", "keep", "sure", "fine"}
TIME_PRESETS = ("07:00", "09:00", "12:30", "18:00")
COMMON_ZONES = ("Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles",
                "Asia/Kolkata", "Asia/Tokyo")
WELCOME = ("Welcome! I'm your coach for social engagement: one short lesson a day, "
           "with a small thing to try and a quick check-in.\n\n")


async def start(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    learner = ctx.learner
    if learner.status == Status.NEW:
        ctx.state = Onboarding("track")
        return [ask_track(ctx, welcome=True)]
    if learner.status in (Status.PAUSED, Status.STOPPED):
        learner.status = Status.ACTIVE
        learner.unreachable = False
        return [Reply(f"Welcome back. You're on {ctx.track().title}. "
                      f"Your next lesson arrives {lessons.next_lesson_when(ctx)}. "
                      "Type next to take it now.")]
    return [Reply(f"You're all set: {ctx.track().title}, daily at {learner.delivery_time} "
                  f"({ctx.zone}). Type today for your current lesson or progress to see how "
                  "you're doing.")]


def ask(ctx: Context, step: OnboardingStep) -> Reply:
    """The question of an onboarding step, asked again after something else came up."""
    return {"track": ask_track, "tz": ask_zone, "time": ask_time}[step](ctx)


def ask_track(ctx: Context, welcome: bool = False) -> Reply:
    tracks = ctx.content.tracks
    lines = [f"{i}. {t.title}: {t.summary}" if t.summary else f"{i}. {t.title}"
             for i, t in enumerate(tracks, 1)]
    first = ctx.content.default_track.title
    text = ((WELCOME if welcome else "") + "Which track would you like to start with?\n"
            + "\n".join(lines) + f"\nReply with a number, or ok for 1. {first}.")
    return Reply(text, tuple(Choice(t.title, encode(PickTrack(t.id))) for t in tracks))


def ask_zone(ctx: Context) -> Reply:
    if ctx.incoming.timezone:  # the platform (or this machine) told us: offer to keep it
        return Reply(
            f"Which time zone are you in? I have {ctx.zone} (local time there: "
            f"{ctx.local_now:%H:%M}). Reply ok to keep it, or type a city or a zone such as "
            "Europe/Berlin or America/New_York.",
            (Choice(f"Keep {ctx.zone}", encode(PickZone(ctx.zone))),))
    return Reply(
        "Which time zone are you in? Type your city (Berlin, New York, Tokyo...) or a zone "
        "such as Europe/Berlin, or pick one below, so lessons arrive at your local time.",
        tuple(Choice(zone.split("/")[-1].replace("_", " "), encode(PickZone(zone)))
              for zone in COMMON_ZONES))


def ask_time(ctx: Context) -> Reply:
    return Reply(
        "What time should your daily lesson arrive? Reply ok for 09:00, "
        "or type a time as HH:MM (24-hour), for example 07:30 or 18:45.",
        tuple(Choice(t, encode(PickTime(t))) for t in TIME_PRESETS))


async def answer(ctx: Context, step: OnboardingStep, text: str) -> list[Reply]:
    """The learner's answer (typed or pressed) to the current onboarding question."""
    value = text.strip()
    keep = value.lower() in ACCEPT_DEFAULT
    if step == "track":
        return await _track(ctx, value, keep)
    if step == "tz":
        return _zone(ctx, value, keep)
    return await _time(ctx, value, keep)


async def _track(ctx: Context, value: str, keep: bool) -> list[Reply]:
    track = ctx.content.default_track if keep else find_track(ctx, value)
    if track is None:
        return [Reply(f"I don't have a track '{value[:40]}'."), ask_track(ctx)]
    ctx.learner.current_track = track.id
    await ctx.repo.progress(ctx.learner, track.id)
    ctx.state = Onboarding("tz")
    return [Reply(f"Great choice: {track.title}."), ask_zone(ctx)]


def _zone(ctx: Context, value: str, keep: bool) -> list[Reply]:
    if not keep:
        replies = set_zone(ctx, value)
        if ctx.learner.timezone != resolve_zone(value):
            return replies
    ctx.state = Onboarding("time")
    return [ask_time(ctx)]


async def _time(ctx: Context, value: str, keep: bool) -> list[Reply]:
    at = parse_hhmm("09:00" if keep else value)
    if at is None:
        return [Reply(f"I couldn't read '{value[:20]}' as a time. Use 24-hour HH:MM, "
                      "for example 07:30 or 18:45."), ask_time(ctx)]
    ctx.learner.delivery_time = format_hhmm(at)
    ctx.state = IDLE
    ctx.learner.status = Status.ACTIVE
    confirm = Reply(f"All set. Your lesson arrives every day at {ctx.learner.delivery_time} "
                    f"({ctx.zone} time). Here's your first one now:")
    return [confirm, *await lessons.deliver_next(ctx)]
