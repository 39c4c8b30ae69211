"""Mentor commands in a group: push, schedule, report, digest; and dashboard, anywhere.

Who may use them is decided before these run (see `guard`); each takes the turn's context.
"""

from __future__ import annotations

from coachbot.conversation.context import Context
from coachbot.dashboard.command import dashboard_command
from coachbot.groups import actions
from coachbot.groups.chart import charts_available, render_png
from coachbot.groups.report import build_report, render_text
from coachbot.groups.roles import REFUSAL, is_mentor
from coachbot.messages import ChatKind, Reply
from coachbot.store.models import Group

SCHEDULE_USAGE = ("Use schedule HH:MM [zone] [track <id>], for example schedule 09:00 "
                  "Europe/Berlin track engagement, or schedule off.")
DIGEST_USAGE = "Use digest <weekday> HH:MM, for example digest monday 09:00, or digest off."
PUSH_USAGE = "Use push <lesson id> or push next, for example push engagement-3."


def is_group_mentor(ctx: Context) -> bool:
    """Whether the person writing may steer the group this turn came from."""
    return (ctx.incoming.chat_kind == ChatKind.GROUP and ctx.group is not None
            and is_mentor(ctx.incoming, ctx.settings.mentors))


def guard(ctx: Context, command: str, usage: str, anywhere: bool = False) -> Reply | None:
    """Why `command` may not run here (a private refusal where it matters), or None.

    A command that works `anywhere` runs in a private chat too (it checks its own scope).
    """
    if ctx.incoming.chat_kind != ChatKind.GROUP or ctx.group is None:
        if anywhere:
            return None
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
    group = group_of(ctx)
    if args and args[0].lower() == "off":
        return answer(actions.stop_schedule(group), SCHEDULE_USAGE)
    rest = list(args[1:])
    track = ""
    if len(rest) >= 2 and rest[-2].lower() == "track":
        track, rest = rest[-1], rest[:-2]
    outcome = actions.set_schedule(ctx.content, group, args[0] if args else "", " ".join(rest),
                                   track, ctx.now)
    return answer(outcome, SCHEDULE_USAGE)


async def digest(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    group = group_of(ctx)
    if args and args[0].lower() == "off":
        return answer(actions.stop_digest(group), DIGEST_USAGE)
    outcome = actions.set_digest(group, args[0] if args else "", args[1] if len(args) > 1 else "")
    return answer(outcome, DIGEST_USAGE)


async def push(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    """Queue a lesson for the group through the outbox, so it goes out once, within limits."""
    if not args:
        return [Reply(PUSH_USAGE)]
    outcome = await actions.push_lesson(ctx.repo.session, ctx.content, group_of(ctx), args[0], ctx.now)
    ctx.queued = ctx.queued or outcome.queued
    return [Reply(outcome.text)]


async def dashboard(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    """A private sign-in link to the dashboard of the groups this person mentors."""
    text = await dashboard_command(ctx.repo.session, ctx.learner, ctx.settings, args, ctx.now)
    return [Reply(text, private=True, personal=True)]


def answer(outcome: actions.Outcome, usage: str) -> list[Reply]:
    return [Reply(outcome.text if outcome.ok else f"{outcome.text} {usage}")]
