"""What the coaching features add to a turn: after a lesson is done, and to `progress`."""

from __future__ import annotations

from coachbot.conversation.context import Context
from coachbot.learning import reviews
from coachbot.learning.render import lesson_reply
from coachbot.learning.state import AwaitingCheckin
from coachbot.messages import Reply
from coachbot.store.models import LessonRecord
from coachbot.store.repository import encode_choices


async def after_completion(ctx: Context, record: LessonRecord) -> list[Reply]:
    """Replies that follow "Marked as done" (the end of a track or of the path)."""
    return []


async def progress_lines(ctx: Context) -> list[str]:
    """Lines `progress` shows after the lessons and the streak."""
    return await reviews.progress_lines(ctx.repo, ctx.learner, ctx.content.coaching.reviews)


async def reopen_checkin(ctx: Context, line: str) -> list[str]:
    """After an extra's dialogue: the lesson check-in still open takes typed numbers again.

    `line` (with `{title}`) says so; nothing when no check-in is open.
    """
    record = await ctx.repo.latest_record(ctx.learner, ctx.track().id)
    found = None if record is None else ctx.content.lesson(record.lesson_id)
    if record is None or found is None or record.completed_at is not None or record.set_aside_at:
        return []
    reply = lesson_reply(*found)
    ctx.state = AwaitingCheckin(record.lesson_id)
    ctx.learner.choices = encode_choices([choice.action for choice in reply.choices])
    return [line.format(title=found[0].lessons[found[1]].title)]
