"""The follow-up on a "try this": the next time the coach writes, it asks once how it went.

Only the lesson done most recently on an earlier local day is asked about; an older one that
was never asked (the learner did two lessons in a day, or was away) is not asked late. The
FollowUp row, written when the question goes out, is what makes it once: a second daily row,
a restart or another worker finds it and sends nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.orm import InstrumentedAttribute

from coachbot.buttons import OUTCOMES, FollowUpAnswer, encode
from coachbot.content.models import Content, Lesson
from coachbot.learning.state import FollowingUp, dump_state
from coachbot.localtime import local_date
from coachbot.messages import Choice, Reply
from coachbot.store.models import FollowUp, Learner, LessonRecord
from coachbot.store.repository import Repository, encode_choices


def _latest_done(learner_id: InstrumentedAttribute[int] | int, before: date) -> ColumnElement[str]:
    """The lesson completed last on a day before `before` (by the learner's done-days index)."""
    return (select(LessonRecord.lesson_id)
            .where(LessonRecord.learner_id == learner_id, LessonRecord.completed_on < before)
            .order_by(LessonRecord.completed_on.desc(), LessonRecord.completed_at.desc(),
                      LessonRecord.id.desc())
            .limit(1).scalar_subquery())


async def followup_of(repo: Repository, learner: Learner, lesson_id: str) -> FollowUp | None:
    return await repo.session.scalar(select(FollowUp).where(
        FollowUp.learner_id == learner.id, FollowUp.lesson_id == lesson_id))


def action_of(lesson: Lesson) -> str:
    """The try-this as it reads inside the question (its own full stop would double up)."""
    return lesson.try_this.strip().rstrip(".")


class FollowUps:
    """The provider of follow-ups (see `learning.daily`); its key is the lesson's id."""

    what = "followup"

    def __init__(self, content: Content) -> None:
        self.content = content

    async def due(self, repo: Repository, learner: Learner, today: date, now: datetime) -> str | None:
        record = await repo.session.scalar(
            select(LessonRecord).where(LessonRecord.learner_id == learner.id,
                                       LessonRecord.lesson_id == _latest_done(learner.id, today)))
        if record is None or self.content.lesson(record.lesson_id) is None:
            return None
        if await followup_of(repo, learner, record.lesson_id) is not None:
            return None
        return record.lesson_id

    async def render(self, repo: Repository, learner: Learner, key: str, now: datetime) -> Reply | None:
        found = self.content.lesson(key)
        record = await repo.record(learner, key)
        if found is None or record is None or record.completed_on is None:
            return None
        if await followup_of(repo, learner, key) is not None:
            return None  # asked already (a restart, another worker): never twice
        repo.session.add(FollowUp(learner_id=learner.id, lesson_id=key, asked_at=now))
        texts = self.content.coaching.followups
        track, index = found
        yesterday = local_date(now, learner.timezone) - timedelta(days=1)
        question = texts.question if record.completed_on == yesterday else texts.question_later
        choices = tuple(Choice(texts.button(outcome), encode(FollowUpAnswer(key, outcome)))
                        for outcome in OUTCOMES)
        learner.pending = dump_state(FollowingUp(key))
        learner.choices = encode_choices([choice.action for choice in choices])
        return Reply(question.format(action=action_of(track.lessons[index])), choices)

    def planned(self, today: date) -> ColumnElement[bool]:
        latest = _latest_done(Learner.id, today)
        asked = exists().where(FollowUp.learner_id == Learner.id, FollowUp.lesson_id == latest)
        return and_(latest.is_not(None), ~asked)
