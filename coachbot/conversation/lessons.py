"""Lessons in the conversation: today, next, done, check-in answers, reflections, progress."""

from __future__ import annotations

from coachbot.buttons import NextChoice, PickTrack, encode
from coachbot.content.models import Track
from coachbot.conversation import checkin, extras
from coachbot.conversation.context import Context
from coachbot.learning import reviews, waits
from coachbot.learning.path import next_on_path
from coachbot.learning.render import lesson_reply, plural
from coachbot.learning.state import IDLE, AwaitingCheckin, ChoosingNext
from coachbot.learning.summary import next_delivery_of, streak_of, summarise
from coachbot.localtime import describe_local
from coachbot.messages import Choice, Reply
from coachbot.store.models import LessonRecord, Status
from coachbot.streaks import Streak

REFLECTION_LIMIT = 4000


def next_lesson_when(ctx: Context, delivered_today: bool = False) -> str:
    when = next_delivery_of(ctx.learner, ctx.now, delivered_today)
    return f"{describe_local(when, ctx.zone, ctx.now)} ({ctx.zone})"


async def deliver_next(ctx: Context) -> list[Reply]:
    """Deliver the next lesson of the current track now, or say where the track stands."""
    delivered = await ctx.parts.progression.deliver_next(ctx.repo, ctx.learner, ctx.now)
    if delivered is None:
        return [await track_finished(ctx, ctx.track())]
    return [lesson_reply(delivered.track, delivered.index)]


# At the end of a track, how many of its open lessons get a button of their own.
OPEN_OFFERED = 3


async def track_finished(ctx: Context, track: Track) -> Reply:
    """Every lesson of the track delivered: finished if all are done, else the open ones offered."""
    following = next_on_path(ctx.content, ctx.learner.purpose, track)
    still_open = await waits.not_done(ctx.repo, ctx.learner, track.id)
    if still_open:
        texts = ctx.content.coaching.waits
        lines = [texts.track_open.format(track=track.title, count=len(still_open),
                                         total=len(track.lessons))]
        offered = [lesson for record in still_open[:OPEN_OFFERED]
                   if (lesson := ctx.content.lesson_by_id(record.lesson_id)) is not None]
        choices = [waits.open_button(texts.open_lesson_button.format(title=lesson.title), lesson.id)
                   for lesson in offered]
        if following is not None:
            lines.append(texts.track_open_next.format(id=following.id, title=following.title))
        return Reply("\n".join(lines), tuple(choices))
    if following is None:
        return Reply(f"You've finished every lesson in {track.title}. Type tracks to pick "
                     "another one.")
    return Reply(f"You've finished every lesson in {track.title}. Well done. A good next "
                 f"step: {following.title}. Type track {following.id} to switch.",
                 (Choice(f"Start {following.title}", encode(PickTrack(following.id))),))


async def after_done(ctx: Context, record: LessonRecord) -> list[Reply]:
    """What follows "Marked as done": the track's end when that was its last open lesson (the
    next track on the path offered), then the end of the path's plan."""
    track = ctx.content.track(record.track_id)
    ended = (track is not None
             and (await ctx.repo.positions(ctx.learner)).get(track.id, 0) >= len(track.lessons)
             and not await waits.not_done(ctx.repo, ctx.learner, track.id))
    finished = [await track_finished(ctx, track)] if ended and track is not None else []
    return [*finished, *await extras.after_completion(ctx, record)]


async def current_record(ctx: Context) -> LessonRecord | None:
    return await ctx.repo.latest_record(ctx.learner, ctx.track().id)


async def today(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    if ctx.learner.status == Status.NEW:
        return [Reply("You haven't started yet. Type start to pick a track and get your "
                      "first lesson.")]
    record = await current_record(ctx)
    if record is None:
        return [Reply("No lesson in this track yet. Type next to take the first one.")]
    found = ctx.content.lesson(record.lesson_id)
    if found is None:
        return [Reply("That lesson is no longer in the curriculum. Type next for a new one.")]
    reply = lesson_reply(*found)
    if record.completed_at is not None:
        return [Reply(reply.text + "\n(You've already done this one. Type next for another.)",
                      lesson=reply.lesson)]
    return [reply]


async def open_lesson(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    """`lesson <id>`: any lesson the learner has had, or the first of any track; alone, today's."""
    if not args:
        return await today(ctx, args)
    key = args[0].lower()
    found = ctx.content.lesson(key)
    if found is None:
        return [Reply(f"There's no lesson '{key[:40]}'. Lesson ids look like "
                      f"{ctx.content.default_track.lessons[0].id}; type tracks to see them all.")]
    track, index = found
    record = await ctx.repo.record(ctx.learner, key)
    if record is not None:
        if record.completed_at is None:  # a set-aside or waiting lesson: its check-in is open
            ctx.state = AwaitingCheckin(key)
        return [lesson_reply(track, index)]
    if index == 0:
        view = lesson_reply(track, index)
        text = view.text.rsplit("\n\nCheck-in:", 1)[0]
        return [Reply(f"{text}\n\nThis is where {track.title} begins. Switch to it to take the "
                      "check-in and get its lessons day by day.",
                      (Choice(f"Switch to {track.title}", encode(PickTrack(track.id))),), lesson=view.lesson)]
    return [Reply(f"That's lesson {index + 1} of {track.title}, which you haven't reached yet. "
                  f"Type lesson {track.lessons[0].id} to read where the track begins, or track "
                  f"{track.id} to switch to it.")]


async def next_lesson(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    """The next lesson now; with the current one open, first: mark it done, or set it aside?"""
    if ctx.learner.status == Status.NEW:
        return [Reply("Let's set you up first: type start.")]
    if ctx.learner.status == Status.STOPPED:
        return [Reply("You stopped your lessons. Type start to come back.")]
    lesson = await checkin.open_lesson_of(ctx)
    if lesson is None:
        return await deliver_next(ctx)
    texts = ctx.content.coaching.waits
    ctx.state = ChoosingNext(lesson.id)
    return [Reply(texts.next_question.format(title=lesson.title),
                  (Choice(texts.done_button, encode(NextChoice(lesson.id, "done"))),
                   Choice(texts.aside_button, encode(NextChoice(lesson.id, "aside")))))]


async def choose_next(ctx: Context, lesson_id: str, choice: str) -> list[Reply]:
    """The answer to `next` with a lesson open: done (then the next), or aside (then the next)."""
    record = await ctx.repo.record(ctx.learner, lesson_id)
    lesson = ctx.content.lesson_by_id(lesson_id)
    ctx.state = IDLE  # the question is answered (the next lesson opens its own check-in)
    if record is None or lesson is None or record.completed_at or record.set_aside_at:
        return [Reply(ctx.content.coaching.waits.not_open, rejected_action=True)]
    if choice == "done":
        replies = await complete(ctx, lesson_id)
    else:
        record.set_aside_at = ctx.now
        replies = [Reply(ctx.content.coaching.waits.set_aside.format(title=lesson.title, id=lesson.id),
                         edit_previous=True)]
    return [*replies, *await deliver_next(ctx)]


async def done(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    """Mark done the lesson last shown with its check-in open, else the current one."""
    state = ctx.state
    if isinstance(state, AwaitingCheckin):
        return await complete(ctx, state.lesson_id)
    record = await current_record(ctx)
    if record is None:
        return [Reply("There's no lesson to mark yet. Type next to take one.")]
    return await complete(ctx, record.lesson_id)


async def complete(ctx: Context, lesson_id: str) -> list[Reply]:
    record = await ctx.repo.record(ctx.learner, lesson_id)
    if record is None:
        return [Reply("That lesson hasn't been sent to you yet. Type today to see your "
                      "current one.")]
    if record.completed_at is not None:
        return [Reply("Already marked done. Type next for another lesson, or progress to "
                      "see how you're doing.")]
    ctx.parts.progression.complete(ctx.learner, record, ctx.now)
    return [Reply(f"Marked as done. {await streak_line(ctx)}", edit_previous=True),
            *await after_done(ctx, record)]


async def answer_checkin(ctx: Context, lesson_id: str, index: int) -> list[Reply]:
    found = ctx.content.lesson(lesson_id)
    record = await ctx.repo.record(ctx.learner, lesson_id)
    if found is None or record is None:
        return [Reply("That check-in isn't one of your lessons. Type today to see yours.")]
    track, position = found
    choices = track.lessons[position].checkin.choices
    if not 0 <= index < len(choices):
        return [Reply(f"Pick a number from 1 to {len(choices)}.")]
    previous = await ctx.repo.answered(ctx.learner, lesson_id)
    if previous is not None:
        picked = "" if previous.choice is None else f" (you picked {previous.choice + 1})"
        return [Reply(f"You've already answered this check-in{picked}. Type next for a new "
                      "lesson.")]
    await ctx.repo.add_answer(ctx.learner, lesson_id, ctx.now, choice=index)
    chosen = choices[index]
    await reviews.schedule(ctx.repo, ctx.learner, lesson_id, chosen.best, ctx.now,
                           ctx.content.coaching.reviews)
    if chosen.best:
        text = f"You picked {index + 1}: {chosen.text}\nGood call. {chosen.explanation}"
    else:
        best = next(c for c in choices if c.best)
        text = (f"You picked {index + 1}: {chosen.text}\nNot quite. {chosen.explanation}\n"
                f"The best move: {best.text} {best.explanation}")
    completed = record.completed_at is None
    if completed:
        ctx.parts.progression.complete(ctx.learner, record, ctx.now)
        text += f"\nMarked as done. {await streak_line(ctx)}"
    if ctx.state == IDLE:  # a dialogue still open (a review sent after the lesson) keeps its numbers
        ctx.learner.choices = None
    return [Reply(text, edit_previous=True),
            *(await after_done(ctx, record) if completed else [])]


async def reflection(ctx: Context, lesson_id: str, text: str) -> list[Reply] | None:
    """Free text answering an open reflection check-in is saved; None when it is no reflection."""
    found = ctx.content.lesson(lesson_id)
    if not text or text.endswith("?") or found is None:
        return None
    track, position = found
    if not track.lessons[position].checkin.is_reflection:
        return None
    record = await ctx.repo.record(ctx.learner, lesson_id)
    if record is None:
        return None
    await ctx.repo.add_answer(ctx.learner, lesson_id, ctx.now, text=text[:REFLECTION_LIMIT])
    completed = record.completed_at is None
    if completed:
        ctx.parts.progression.complete(ctx.learner, record, ctx.now)
    return [Reply(f"Thanks for reflecting; I've saved it. Marked as done. {await streak_line(ctx)}"),
            *(await after_done(ctx, record) if completed else [])]


async def streak_line(ctx: Context) -> str:
    return streak_text(await streak_of(ctx.repo, ctx.learner, ctx.now))


def streak_text(streak: Streak) -> str:
    if streak.days == 0:
        return "Your streak starts with your next lesson done."
    grace = " (a missed day was forgiven)" if streak.grace_used else ""
    return f"Streak: {plural(streak.days, 'day')}{grace}."


async def progress(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    if ctx.learner.status == Status.NEW:
        return [Reply("You haven't started yet. Type start to begin.")]
    summary = await summarise(ctx.parts.progression, ctx.repo, ctx.learner, ctx.now)
    lines = [
        f"Track: {summary.track_title}: {summary.track_done} of {summary.track_total} lessons done",
        f"Overall: {summary.overall_done} of {summary.overall_total} lessons done",
        streak_text(summary.streak),
        *await extras.progress_lines(ctx),
    ]
    if summary.status == Status.PAUSED:
        lines.append("Lessons are paused. Type resume to continue.")
    elif summary.status == Status.STOPPED:
        lines.append("Lessons are stopped. Type start to come back.")
    elif summary.next_delivery is None:
        lines.append("You've had every lesson in this track. Type tracks to pick the next.")
    else:
        lines.append(f"Next lesson: {describe_local(summary.next_delivery, ctx.zone, ctx.now)} "
                     f"({ctx.zone})")
    return [Reply("\n".join(lines))]
