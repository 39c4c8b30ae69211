"""Lessons set aside with `next`: what `progress` says of them, until each is done."""

from __future__ import annotations

from coachbot.conversation.context import Context
from coachbot.learning import waits


async def progress_lines(ctx: Context) -> list[str]:
    records = await waits.set_aside(ctx.repo, ctx.learner)
    named = [(record.lesson_id, waits.lesson_of(ctx.content, record)) for record in records]
    listed = ", ".join(f"{lesson.title} (lesson {lesson_id})" for lesson_id, lesson in named if lesson)
    return [ctx.content.coaching.waits.set_aside_lines.format(lessons=listed)] if listed else []
