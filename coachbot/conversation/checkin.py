"""Back to a lesson's open check-in, after another question (`next`, a follow-up, a review,
a confidence rating) took the learner's typed numbers for a while."""

from __future__ import annotations

from coachbot.content.models import Lesson
from coachbot.conversation.context import Context
from coachbot.learning import waits
from coachbot.learning.render import checkin_choices
from coachbot.learning.state import AwaitingCheckin
from coachbot.store.repository import encode_choices


def reopen_checkin(ctx: Context, lesson_id: str) -> None:
    """Back to the open check-in of a lesson, its numbers mapping to its choices again."""
    ctx.state = AwaitingCheckin(lesson_id)
    lesson = ctx.content.lesson_by_id(lesson_id)
    ctx.learner.choices = None if lesson is None else encode_choices(
        [choice.action for choice in checkin_choices(lesson)])


async def open_lesson_of(ctx: Context) -> Lesson | None:
    """The current lesson of the learner's track while it is open (not done, not set aside)."""
    record = await waits.open_record(ctx.repo, ctx.learner, ctx.track().id)
    return None if record is None else ctx.content.lesson_by_id(record.lesson_id)


async def back_to_checkin(ctx: Context, line: str) -> list[str]:
    """After an extra's dialogue: the lesson check-in still open takes typed numbers again.

    `line` (with `{title}`) says so; nothing when no check-in is open.
    """
    lesson = await open_lesson_of(ctx)
    if lesson is None:
        return []
    reopen_checkin(ctx, lesson.id)
    return [line.format(title=lesson.title)]
