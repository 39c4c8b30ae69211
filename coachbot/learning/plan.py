"""The learner's plan: their own words along the way, gathered by track as one note to keep.

It is made of what they wrote to open reflection check-ins and what they said about the
follow-ups on their try-this (the outcome, and a note if they wrote one). It is sent once at
the end of their path; `plan_nudge_on` then holds the day of the one nudge that follows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, select

from coachbot.buttons import Typed, encode
from coachbot.content.models import Content
from coachbot.learning.followups import action_of
from coachbot.learning.path import path_of
from coachbot.messages import Choice, Reply
from coachbot.store.models import CheckInAnswer, FollowUp, Learner, LessonRecord
from coachbot.store.repository import Repository, encode_choices


async def plan_text(repo: Repository, content: Content, learner: Learner) -> str | None:
    """The plan as one note headed "Your plan:", or None while there is nothing in it."""
    texts = content.coaching.plan
    lines: dict[str, list[str]] = defaultdict(list)
    answers = await repo.session.execute(
        select(CheckInAnswer.lesson_id, CheckInAnswer.text)
        .where(CheckInAnswer.learner_id == learner.id, CheckInAnswer.text.is_not(None))
        .order_by(CheckInAnswer.answered_at, CheckInAnswer.id))
    for lesson_id, text in answers:
        lesson = content.lesson_by_id(lesson_id)
        if lesson is not None and text:
            lines[lesson_id].append(texts.answer.format(lesson=lesson.title, answer=text.strip()))
    followups = await repo.session.scalars(
        select(FollowUp).where(FollowUp.learner_id == learner.id,
                               (FollowUp.outcome.is_not(None)) | (FollowUp.note.is_not(None)))
        .order_by(FollowUp.asked_at, FollowUp.id))
    buttons = content.coaching.followups
    for followup in followups:
        lesson = content.lesson_by_id(followup.lesson_id)
        if lesson is not None:
            said = [buttons.button(followup.outcome) if followup.outcome else None, followup.note]
            outcome = "; ".join(part.strip() for part in said if part and part.strip())
            lines[followup.lesson_id].append(texts.followup.format(
                action=action_of(lesson), outcome=outcome))
    if not lines:
        return None
    parts = [texts.heading]
    for track in content.tracks:  # curriculum order, then each track's lessons in order
        kept = [line for lesson in track.lessons for line in lines.get(lesson.id, [])]
        if kept:
            parts += ["", texts.track.format(track=track.title), *kept]
    return "\n".join(parts)


async def path_finished(repo: Repository, content: Content, learner: Learner,
                        record: LessonRecord) -> bool:
    """`record` was the last lesson of the learner's path, and every lesson of it is done."""
    path = path_of(content, learner.purpose)
    if not path or record.lesson_id != path[-1].lessons[-1].id:
        return False
    done = set(await repo.session.scalars(
        select(LessonRecord.lesson_id).where(LessonRecord.learner_id == learner.id,
                                             LessonRecord.completed_at.is_not(None))))
    return all(lesson.id in done for track in path for lesson in track.lessons)


def plan_sent(content: Content, learner: Learner, today: date) -> None:
    """The plan went out at the end of the path: once, with its nudge some days later."""
    learner.plan_sent_on = today
    learner.plan_nudge_on = today + timedelta(days=content.coaching.plan.nudge_after_days)


def show_plan_choice(content: Content) -> Choice:
    return Choice(content.coaching.plan.nudge_button, encode(Typed("plan")))


class PlanNudge:
    """The provider of the one nudge a while after the plan (see `learning.daily`)."""

    what = "nudge"

    def __init__(self, content: Content) -> None:
        self.content = content

    async def due(self, repo: Repository, learner: Learner, today: date, now: datetime) -> str | None:
        due_on = learner.plan_nudge_on
        return due_on.isoformat() if due_on is not None and due_on <= today else None

    async def render(self, repo: Repository, learner: Learner, key: str, now: datetime) -> Reply | None:
        if learner.plan_nudge_on is None:
            return None  # sent already: it comes once
        learner.plan_nudge_on = None
        choice = show_plan_choice(self.content)
        learner.choices = encode_choices([choice.action])
        return Reply(self.content.coaching.plan.nudge, (choice,))

    def planned(self, today: date) -> ColumnElement[bool]:
        return Learner.plan_nudge_on <= today
