"""What the coaching features add to a turn: after a lesson is done, and to `progress`."""

from __future__ import annotations

from coachbot.conversation import confidence, plan, setaside
from coachbot.conversation.context import Context
from coachbot.learning import reviews
from coachbot.messages import Reply
from coachbot.store.models import LessonRecord


async def after_completion(ctx: Context, record: LessonRecord) -> list[Reply]:
    """Replies that follow "Marked as done" (the end of a track or of the path)."""
    return [*await plan.at_path_end(ctx, record)]


async def progress_lines(ctx: Context) -> list[str]:
    """Lines `progress` shows after the lessons and the streak."""
    return [*await setaside.progress_lines(ctx), *await confidence.progress_lines(ctx),
            *await reviews.progress_lines(ctx.repo, ctx.learner, ctx.content.coaching.reviews)]
