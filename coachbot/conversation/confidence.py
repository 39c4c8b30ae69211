"""Confidence in the conversation: asking when a track begins, taking the answer, `progress`."""

from __future__ import annotations

from coachbot.content.models import Track
from coachbot.conversation import checkin
from coachbot.conversation.context import Context
from coachbot.learning import confidence
from coachbot.learning.state import IDLE, Moment, RatingConfidence
from coachbot.messages import Reply
from coachbot.store.models import Confidence


async def ask_start(ctx: Context, track: Track) -> list[Reply]:
    """The start question of a track the learner begins now, unless it was asked before."""
    asked = await confidence.ask(ctx.repo, ctx.content, ctx.learner, track, "start", ctx.now)
    return [] if asked is None else [asked]


async def rate(ctx: Context, track_id: str, moment: Moment, score: int) -> list[Reply] | None:
    """Store the answer; None when this question was never asked (a stale button)."""
    row = await ctx.repo.session.get(Confidence, (ctx.learner.id, track_id, moment))
    texts = ctx.content.coaching.confidence
    if row is None:
        return None
    if row.score is not None:
        return [Reply(texts.already.format(score=row.score))]
    row.score, row.answered_at = score, ctx.now
    thanks = texts.thanks_start.format(score=score)
    if moment == "end":
        start = await ctx.repo.session.get(Confidence, (ctx.learner.id, track_id, "start"))
        thanks = (texts.thanks.format(score=score) if start is None or start.score is None
                  else texts.thanks_end.format(score=score, start=start.score))
    if ctx.state != RatingConfidence(track_id, moment):
        return [Reply(thanks)]
    return [await back_to_checkin(ctx, thanks)]


async def back_to_checkin(ctx: Context, text: str) -> Reply:
    """Leave the question; a lesson check-in still open takes typed numbers again."""
    ctx.state = IDLE
    ctx.learner.choices = None
    lines = await checkin.back_to_checkin(ctx, ctx.content.coaching.confidence.checkin_open)
    return Reply("\n".join([text, *lines]))


async def progress_lines(ctx: Context) -> list[str]:
    """"Confidence in <what a track teaches>: 2 → 4" for each track rated at both ends."""
    rows = await confidence.asked(ctx.repo, ctx.learner)
    line = ctx.content.coaching.confidence.progress_line
    lines = []
    for track in ctx.content.tracks:
        start, end = rows.get((track.id, "start")), rows.get((track.id, "end"))
        if start and end and start.score is not None and end.score is not None:
            lines.append(line.format(teaches=track.subject, start=start.score, end=end.score))
    return lines
