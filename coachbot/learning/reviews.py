"""Spaced review: each multiple-choice check-in comes back a few days later, then less often.

A check-in answered is due for review `intervals[0]` local days later, or `after_wrong_days`
when it was answered wrong. A review answered well waits longer (the next interval, by how
many were answered well so far) and is dropped (`due_on` None) once `learnt_after` were right
in a row; one answered wrong comes back soon and its run starts again. At most one review is
asked a day, as the day's extra message (`ReviewProvider`, see learning.daily); one left
unanswered stays due and comes back another day.

The choices are shown in an order of the learner's own, so a review tests the idea and not
where its answer stood in the lesson: the same for one review wherever it is shown, another
for the next review of that check-in.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.buttons import ReviewAnswer, encode
from coachbot.content.coaching import Reviews
from coachbot.content.models import CheckIn, Content, Lesson
from coachbot.learning.state import Reviewing, dump_state
from coachbot.localtime import local_date
from coachbot.messages import Choice, Reply
from coachbot.store.models import Learner, Review
from coachbot.store.repository import Repository, encode_choices


def lesson_under_review(content: Content, lesson_id: str) -> Lesson | None:
    """The lesson, while it is in the content and its check-in has choices to review."""
    lesson = content.lesson_by_id(lesson_id)
    return None if lesson is None or lesson.checkin.is_reflection else lesson


async def find(repo: Repository, learner: Learner, lesson_id: str) -> Review | None:
    return await repo.session.scalar(select(Review).where(Review.learner_id == learner.id,
                                                          Review.lesson_id == lesson_id))


async def schedule(repo: Repository, learner: Learner, lesson_id: str, right: bool,
                   now: datetime, texts: Reviews) -> None:
    """A check-in was just answered: plan its first review, sooner when it was answered wrong."""
    if await find(repo, learner, lesson_id) is not None:
        return
    wait = texts.intervals[0] if right else texts.after_wrong_days
    repo.session.add(Review(learner_id=learner.id, lesson_id=lesson_id, streak=0, done=0, right=0,
                            due_on=local_date(now, learner.timezone) + timedelta(days=wait)))


def answered(review: Review) -> bool:
    """Whether the review asked last was answered: it was then moved past that day, or dropped."""
    return review.asked_on is not None and (review.due_on is None or review.due_on > review.asked_on)


def record(review: Review, right: bool, today: date, texts: Reviews) -> int | None:
    """Count an answer and set when the check-in comes back: in how many days (None: learnt)."""
    review.done += 1
    review.right += int(right)
    review.streak = review.streak + 1 if right else 0
    if review.streak >= texts.learnt_after:
        review.due_on = None
        return None
    wait = texts.intervals[min(review.right, len(texts.intervals) - 1)] if right else texts.after_wrong_days
    review.due_on = today + timedelta(days=wait)
    return wait


def shown_order(review: Review, count: int) -> list[int]:
    """The content's indexes of the choices in the order this learner sees them this time.

    Drawn from the learner, the check-in and how many times it was reviewed, so a review shows
    the same order every time it is shown; an order that happens to be the lesson's own is
    turned by one, so the answer is never found where it was.
    """
    order = list(range(count))
    random.Random(f"{review.learner_id}:{review.lesson_id}:{review.done}").shuffle(order)
    if count > 1 and order == sorted(order):
        order = order[1:] + order[:1]
    return order


def choices(checkin: CheckIn, lesson_id: str, order: list[int]) -> tuple[Choice, ...]:
    return tuple(Choice(checkin.choices[index].text, encode(ReviewAnswer(lesson_id, index)))
                 for index in order)


async def totals(session: AsyncSession, learners: ColumnElement[bool]) -> tuple[int, int]:
    """Reviews answered, and of those answered well, by the learners `learners` selects."""
    row = (await session.execute(
        select(func.coalesce(func.sum(Review.done), 0), func.coalesce(func.sum(Review.right), 0))
        .where(learners))).one()
    return int(row[0]), int(row[1])


def share(done: int, right: int) -> int:
    return round(100 * right / done)


async def progress_lines(repo: Repository, learner: Learner, texts: Reviews) -> list[str]:
    """`progress`'s line on reviews, once there has been one."""
    done, right = await totals(repo.session, Review.learner_id == learner.id)
    return [texts.progress.format(done=done, share=share(done, right))] if done else []


class ReviewProvider:
    """The day's review, as the coach's extra message (see learning.daily's Provider)."""

    what = "review"

    def __init__(self, content: Content) -> None:
        self.content = content
        self.texts = content.coaching.reviews

    async def due(self, repo: Repository, learner: Learner, today: date, now: datetime) -> str | None:
        """The check-in due longest; once one was asked today, only that one (a retried send)."""
        asked = await repo.session.scalar(select(Review).where(
            Review.learner_id == learner.id, Review.asked_on == today).limit(1))
        if asked is not None:
            return None if answered(asked) else asked.lesson_id
        due = await repo.session.scalars(
            select(Review.lesson_id).where(Review.learner_id == learner.id, Review.due_on <= today)
            .order_by(Review.due_on, Review.id))
        return next((lesson_id for lesson_id in due
                     if lesson_under_review(self.content, lesson_id) is not None), None)

    async def render(self, repo: Repository, learner: Learner, key: str, now: datetime) -> Reply | None:
        """The question with its choices in the learner's order; typed numbers follow that order."""
        today = local_date(now, learner.timezone)
        review = await find(repo, learner, key)
        lesson = lesson_under_review(self.content, key)
        if review is None or lesson is None or review.due_on is None or review.due_on > today:
            return None
        shown = choices(lesson.checkin, key, shown_order(review, len(lesson.checkin.choices)))
        review.asked_on = today
        learner.pending = dump_state(Reviewing(key))
        learner.choices = encode_choices([choice.action for choice in shown])
        text = "\n".join((self.texts.intro.format(title=lesson.title), lesson.checkin.question,
                          self.texts.how_to_answer))
        return Reply(text, shown)

    def planned(self, today: date) -> ColumnElement[bool]:
        return exists().where(Review.learner_id == Learner.id, Review.due_on <= today)
