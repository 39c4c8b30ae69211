"""Lessons set aside with `next`: what `progress` says of them, until each is done."""

from __future__ import annotations

from coachbot.conversation.context import Context
from coachbot.learning import waits


async def progress_lines(ctx: Context) -> list[str]:
    """One line naming each lesson set aside and not done since, with the id that opens it."""
    records = await waits.set_aside(ctx.repo, ctx.learner)
    named = [ctx.content.lesson_by_id(record.lesson_id) for record in records]
    listed = ", ".join(f"{lesson.title} (lesson {lesson.id})" for lesson in named if lesson)
    return [ctx.content.coaching.waits.set_aside_lines.format(lessons=listed)] if listed else []
