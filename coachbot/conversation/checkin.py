"""Back to a lesson's open check-in, after another question (`next`, a follow-up, a review,
a confidence rating) took the learner's typed numbers for a while."""

from __future__ import annotations

from coachbot.conversation.context import Context
from coachbot.learning import waits
from coachbot.learning.render import checkin_choices
from coachbot.learning.state import AwaitingCheckin
from coachbot.store.repository import encode_choices


def reopen_checkin(ctx: Context, lesson_id: str) -> None:
    """Back to the open check-in of a lesson, its numbers mapping to its choices again."""
    ctx.state = AwaitingCheckin(lesson_id)
    lesson = waits.lesson_of(ctx.content, lesson_id)
    ctx.learner.choices = None if lesson is None else encode_choices(
        [choice.action for choice in checkin_choices(lesson)])


async def back_to_checkin(ctx: Context, line: str) -> list[str]:
    """After an extra's dialogue: the lesson check-in still open takes typed numbers again.

    `line` (with `{title}`) says so; nothing when no check-in is open.
    """
    record = await ctx.repo.latest_record(ctx.learner, ctx.track().id)
    lesson = None if record is None else waits.lesson_of(ctx.content, record.lesson_id)
    if record is None or lesson is None or record.completed_at is not None or record.set_aside_at:
        return []
    reopen_checkin(ctx, record.lesson_id)
    return [line.format(title=lesson.title)]
