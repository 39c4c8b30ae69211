"""The learner's own switches: pause, resume, stop, and forget (only after an explicit yes)."""

from __future__ import annotations

from coachbot.buttons import Forget, encode
from coachbot.conversation import checkin, lessons
from coachbot.conversation.context import Context
from coachbot.learning import waits
from coachbot.learning.state import IDLE, ConfirmingForget
from coachbot.localtime import local_date
from coachbot.messages import Choice, Reply
from coachbot.store.models import Status

# Only an explicit yes deletes: a number, "ok" or anything else keeps the data.
YES = {"yes", "y", "yes please", "yes, delete everything", "yes delete everything"}
KEPT = "Okay, I've kept everything. Nothing was deleted."


async def pause(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    if ctx.learner.status != Status.ACTIVE:
        return [Reply(not_active_text(ctx))]
    waits.pause(ctx.repo, ctx.learner, local_date(ctx.now, ctx.zone))
    return [Reply(ctx.content.coaching.waits.paused)]


async def resume(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    """Lessons again; what comes next is the lesson still waiting, if one is."""
    if ctx.learner.status == Status.NEW:
        return [Reply("You haven't started yet. Type start to begin.")]
    if ctx.learner.status == Status.ACTIVE:
        return [Reply(f"You're not paused. Your next lesson arrives {lessons.next_lesson_when(ctx)}.")]
    await waits.resume(ctx.repo, ctx.learner, local_date(ctx.now, ctx.zone))
    ctx.learner.unreachable = False
    texts = ctx.content.coaching.waits
    waiting = await checkin.open_lesson_of(ctx)
    if waiting is not None:
        return [waits.waiting_reply(texts, texts.resumed_waiting, waiting)]
    return [Reply(texts.resumed.format(when=lessons.next_lesson_when(ctx)))]


async def stop(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    ctx.learner.status = Status.STOPPED
    return [Reply("Stopped: I won't send you any more messages. Your progress is kept. "
                  "Type start to come back, or forget to delete everything about you.")]


def not_active_text(ctx: Context) -> str:
    if ctx.learner.status == Status.PAUSED:
        return "You're already paused. Type resume to continue."
    if ctx.learner.status == Status.STOPPED:
        return "Your lessons are stopped. Type start to come back."
    return "You haven't started yet. Type start to begin."


async def forget(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    ctx.state = ConfirmingForget()
    return [Reply("This deletes everything I store about you: your settings, progress, "
                  "streak and answers. It cannot be undone. Type yes to confirm; anything "
                  "else keeps your data.",
                  (Choice("Yes, delete everything", encode(Forget(True))),
                   Choice("No, keep it", encode(Forget(False)))))]


def is_yes(text: str) -> bool:
    return text.strip().lower().rstrip(".!") in YES


def keep(ctx: Context, pressed: bool = False) -> Reply:
    """Leave the confirmation without deleting anything, and say so."""
    ctx.state = IDLE
    ctx.learner.choices = None
    return Reply(KEPT, edit_previous=pressed)


async def pressed(ctx: Context, confirmed: bool, confirming: bool) -> list[Reply]:
    """The Yes/No buttons under the forget question; a Yes from an older question deletes nothing."""
    if confirmed and confirming:
        return await forget_confirmed(ctx)
    if confirmed:
        keep(ctx)
        return [Reply("That confirmation has expired, so nothing was deleted. Type forget "
                      "to start again.", edit_previous=True, rejected_action=True)]
    return [keep(ctx, pressed=True)]


async def forget_confirmed(ctx: Context) -> list[Reply]:
    await ctx.repo.forget(ctx.learner)
    ctx.forgotten = True
    return [Reply("Done. Everything I stored about you is deleted. If you ever want to "
                  "start again, type start.", edit_previous=True)]
