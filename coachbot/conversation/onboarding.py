"""Onboarding: `start`, then four questions (what brings them, track, time zone, delivery
time), then lesson one and how confident they feel about what its track teaches."""

from __future__ import annotations

from coachbot.buttons import PickTime, PickTrack, PickZone, encode
from coachbot.content.models import Track
from coachbot.conversation import confidence, lessons
from coachbot.conversation.context import Context
from coachbot.conversation.path import audience_choices, find_audience, unknown_audience
from coachbot.conversation.tracks import find_track, set_zone
from coachbot.learning.path import first_on_path, off_path, path_of
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
        ctx.state = Onboarding("purpose")
        return [ask_purpose(ctx, welcome=True)]
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
    return {"purpose": ask_purpose, "track": ask_track, "tz": ask_zone, "time": ask_time}[step](ctx)


def ask_purpose(ctx: Context, welcome: bool = False) -> Reply:
    section = ctx.content.coaching.path
    lines = [f"{i}. {audience.label}" for i, audience in enumerate(section.audiences, 1)]
    hint = section.question_hint.format(label=section.audiences[0].label)
    text = (WELCOME if welcome else "") + "\n".join([section.question, *lines, hint])
    return Reply(text, audience_choices(ctx))


def offered_tracks(ctx: Context) -> list[Track]:
    """The tracks as the track question numbers them: the path's first, in path order."""
    purpose = ctx.learner.purpose
    return path_of(ctx.content, purpose) + off_path(ctx.content, purpose)


def ask_track(ctx: Context) -> Reply:
    on_path = len(path_of(ctx.content, ctx.learner.purpose))
    tracks = offered_tracks(ctx)
    lines = [f"{i}. {t.title}: {t.summary}" if t.summary else f"{i}. {t.title}"
             for i, t in enumerate(tracks, 1)]
    if on_path < len(tracks):
        lines.insert(on_path, ctx.content.coaching.path.others)
    first = first_on_path(ctx.content, ctx.learner.purpose).title
    text = ("Which track would you like to start with?\n"
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
    if step == "purpose":
        return _purpose(ctx, value, keep)
    if step == "track":
        return await _track(ctx, value, keep)
    if step == "tz":
        return _zone(ctx, value, keep)
    return await _time(ctx, value, keep)


def _purpose(ctx: Context, value: str, keep: bool) -> list[Reply]:
    section = ctx.content.coaching.path
    audience = section.audiences[0] if keep else find_audience(ctx, value)
    if audience is None:
        return [unknown_audience(ctx, value)]
    ctx.learner.purpose = audience.id
    ctx.state = Onboarding("track")
    return [Reply(section.chosen.format(label=audience.label)), ask_track(ctx)]


async def _track(ctx: Context, value: str, keep: bool) -> list[Reply]:
    first = first_on_path(ctx.content, ctx.learner.purpose)
    track = first if keep else find_track(ctx, value, offered_tracks(ctx))
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
    return [confirm, *await lessons.deliver_next(ctx), *await confidence.ask_start(ctx, ctx.track())]
