"""What the coaching features add to a turn: after a lesson is done, and to `progress`."""

from __future__ import annotations

from coachbot.conversation import confidence
from coachbot.conversation.context import Context
from coachbot.messages import Reply
from coachbot.store.models import LessonRecord


async def after_completion(ctx: Context, record: LessonRecord) -> list[Reply]:
    """Replies that follow "Marked as done" (the end of a track or of the path)."""
    return []


async def progress_lines(ctx: Context) -> list[str]:
    """Lines `progress` shows after the lessons and the streak."""
    return [*await confidence.progress_lines(ctx)]
