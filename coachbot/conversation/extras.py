"""What the coaching features add to a turn: after a lesson is done, and to `progress`."""

from __future__ import annotations

from coachbot.conversation import plan, setaside
from coachbot.conversation.context import Context
from coachbot.learning import reviews, waits
from coachbot.learning.render import checkin_choices
from coachbot.learning.state import AwaitingCheckin
from coachbot.messages import Reply
from coachbot.store.models import LessonRecord
from coachbot.store.repository import encode_choices


async def after_completion(ctx: Context, record: LessonRecord) -> list[Reply]:
    """Replies that follow "Marked as done" (the end of a track or of the path)."""
    return [*await plan.at_path_end(ctx, record)]


async def progress_lines(ctx: Context) -> list[str]:
    """Lines `progress` shows after the lessons and the streak."""
    return [*await setaside.progress_lines(ctx),
            *await reviews.progress_lines(ctx.repo, ctx.learner, ctx.content.coaching.reviews)]


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
