"""Answers to a check-in under review: right or wrong with why, and when it comes back."""

from __future__ import annotations

from coachbot.content.coaching import Reviews
from coachbot.conversation import checkin
from coachbot.conversation.context import Context
from coachbot.learning import reviews
from coachbot.learning.state import IDLE, Reviewing, State
from coachbot.localtime import local_date
from coachbot.messages import Reply


async def answer(ctx: Context, state: State, lesson_id: str, index: int) -> list[Reply]:
    """Score the review that is open; a stale button or a second answer changes nothing."""
    texts = ctx.content.coaching.reviews
    review = await reviews.find(ctx.repo, ctx.learner, lesson_id)
    lesson = reviews.lesson_under_review(ctx.content, lesson_id)
    if review is None or lesson is None or not 0 <= index < len(lesson.checkin.choices):
        return [Reply(texts.closed, rejected_action=True)]
    if reviews.answered(review):
        return [Reply(texts.already, rejected_action=True)]
    if state != Reviewing(lesson_id):
        return [Reply(texts.closed, rejected_action=True)]
    choices = lesson.checkin.choices
    chosen = choices[index]
    best = next(choice for choice in choices if choice.best)
    wait = reviews.record(review, chosen.best, local_date(ctx.now, ctx.zone), texts)
    scored = (texts.right.format(choice=chosen.text, explanation=chosen.explanation) if chosen.best
              else texts.wrong.format(choice=chosen.text, explanation=chosen.explanation,
                                      best=best.text, best_explanation=best.explanation))
    ctx.state = IDLE
    ctx.learner.choices = None
    lines = [scored, comes_back(texts, wait), *await checkin.back_to_checkin(ctx, texts.checkin_open)]
    return [Reply("\n".join(lines), edit_previous=True)]


def comes_back(texts: Reviews, wait: int | None) -> str:
    if wait is None:
        return texts.learnt
    return texts.again_tomorrow if wait == 1 else texts.again_in.format(days=wait)
