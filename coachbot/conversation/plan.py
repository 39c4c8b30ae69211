"""`plan`: the learner's own answers as one note to keep, and the same at the end of the path."""

from __future__ import annotations

from coachbot.conversation.context import Context
from coachbot.learning.plan import path_finished, plan_sent, plan_text
from coachbot.messages import Reply
from coachbot.store.models import LessonRecord


async def show(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    text = await plan_text(ctx.repo, ctx.content, ctx.learner)
    return [Reply(text or ctx.content.coaching.plan.empty)]


async def at_path_end(ctx: Context, record: LessonRecord) -> list[Reply]:
    """Once, when the lesson just done finished the learner's path: their plan, to keep."""
    if ctx.learner.plan_sent_on is not None:
        return []
    if not await path_finished(ctx.repo, ctx.content, ctx.learner, record):
        return []
    plan_sent(ctx.content, ctx.learner, ctx.local_now.date())
    texts = ctx.content.coaching.plan
    text = await plan_text(ctx.repo, ctx.content, ctx.learner)
    return [Reply(texts.path_done), Reply(text or texts.empty)]
