"""Answers to a follow-up: one of its three buttons (or 1/2/3), or a few words of the learner's own."""

from __future__ import annotations

from coachbot.conversation import checkin
from coachbot.conversation.context import Context
from coachbot.learning.followups import followup_of
from coachbot.learning.state import IDLE, FollowingUp
from coachbot.messages import Reply

NOTE_LIMIT = 4000


async def answer(ctx: Context, lesson_id: str, outcome: str) -> list[Reply]:
    """Keep the outcome and reply with the lesson's own words for it (or the default)."""
    texts = ctx.content.coaching.followups
    followup = await followup_of(ctx.repo, ctx.learner, lesson_id)
    found = ctx.content.lesson(lesson_id)
    if followup is None or found is None:
        return [Reply(texts.expired, rejected_action=True)]
    if followup.outcome is not None:
        return [Reply(texts.already), *await back_to_checkin(ctx, lesson_id)]
    followup.outcome = outcome
    followup.answered_at = ctx.now
    track, index = found
    own = getattr(track.lessons[index].followup, outcome.replace("-", "_"))
    return [Reply(own or texts.reply(outcome), edit_previous=True),
            *await back_to_checkin(ctx, lesson_id)]


async def note(ctx: Context, lesson_id: str, text: str) -> list[Reply] | None:
    """A few words about how it went are kept with the follow-up (and show in the plan)."""
    followup = await followup_of(ctx.repo, ctx.learner, lesson_id)
    if followup is None:
        return None
    followup.note = text[:NOTE_LIMIT]
    followup.answered_at = followup.answered_at or ctx.now
    return [Reply(ctx.content.coaching.followups.noted), *await back_to_checkin(ctx, lesson_id)]


async def back_to_checkin(ctx: Context, lesson_id: str) -> list[Reply]:
    """Leave the follow-up; if today's lesson still waits for its check-in, go back to it."""
    if ctx.state != FollowingUp(lesson_id):
        return []
    ctx.state = IDLE
    ctx.learner.choices = None
    return [Reply(line) for line in
            await checkin.back_to_checkin(ctx, ctx.content.coaching.followups.checkin_open)]
