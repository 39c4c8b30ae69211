"""Lessons wait for the learner: an open lesson is never replaced by the next one.

At the delivery time a lesson still open since an earlier day gets a short note instead of a
successor, once a day; after `days_before_pause` such days in a row with no word from the
learner, the coach pauses their lessons (paused_reason "silence") rather than keep writing.
Any message or button from the learner resets the count. Pauses, the learner's own or the
coach's, are kept as `Pause` rows, so a streak neither grows nor breaks on paused days.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update

from coachbot.buttons import Typed, encode
from coachbot.content.coaching import Waits
from coachbot.content.models import Lesson
from coachbot.learning.progression import Progression
from coachbot.localtime import local_date
from coachbot.messages import Choice, Reply
from coachbot.store.models import Learner, LessonRecord, Pause, Status
from coachbot.store.repository import Repository, encode_choices

SILENCE = "silence"


@dataclass(frozen=True)
class Waiting:
    """What the delivery time brings instead of a new lesson: the note, or the pause."""

    reply: Reply
    paused: bool


async def open_record(repo: Repository, learner: Learner, track_id: str) -> LessonRecord | None:
    """The learner's current lesson of this track while it is open: not done, not set aside."""
    record = await repo.latest_record(learner, track_id)
    if record is None or record.completed_at is not None or record.set_aside_at is not None:
        return None
    return record


def open_button(label: str, lesson_id: str) -> Choice:
    """A button that opens a lesson the learner has had, as typing `lesson <id>` does."""
    return Choice(label, encode(Typed(f"lesson {lesson_id}")))


def waiting_reply(texts: Waits, text: str, lesson: Lesson) -> Reply:
    return Reply(text.format(title=lesson.title), (open_button(texts.open_button, lesson.id),))


async def at_delivery(repo: Repository, progression: Progression, learner: Learner,
                      now: datetime) -> Waiting | None:
    """The note (or, after enough silent days, the pause) when today's lesson would replace an
    open one; None when a new lesson may go out."""
    record = await open_record(repo, learner, progression.track_of(learner).id)
    today = local_date(now, learner.timezone)
    lesson = progression.content.lesson_by_id(record.lesson_id) if record is not None else None
    if record is None or lesson is None or record.delivered_on >= today:
        return None
    texts = progression.content.coaching.waits
    counted = learner.waited_on == today  # a second delivery the same day counts nothing more
    if learner.waiting_days >= texts.days_before_pause and not counted:
        pause(repo, learner, today, SILENCE)
        return Waiting(Reply(texts.paused_by_silence), paused=True)
    if not counted:
        learner.waiting_days += 1
        learner.waited_on = today
    reply = waiting_reply(texts, texts.still_waiting, lesson)
    learner.choices = encode_choices([choice.action for choice in reply.choices])
    return Waiting(reply, paused=False)


def heard_from(learner: Learner) -> None:
    """The learner wrote or pressed something: the silent days start again from zero."""
    learner.waiting_days = 0


def pause(repo: Repository, learner: Learner, today: date, reason: str | None = None) -> None:
    learner.status = Status.PAUSED
    learner.paused_reason = reason
    repo.session.add(Pause(learner_id=learner.id, started_on=today))


async def resume(repo: Repository, learner: Learner, today: date) -> None:
    await repo.session.execute(
        update(Pause).where(Pause.learner_id == learner.id, Pause.ended_on.is_(None))
        .values(ended_on=today))
    learner.status = Status.ACTIVE
    learner.paused_reason = None
    learner.waiting_days = 0


async def paused_days(repo: Repository, learner: Learner, today: date) -> set[date]:
    rows = await repo.session.execute(
        select(Pause.started_on, Pause.ended_on).where(Pause.learner_id == learner.id))
    return days_of(((started, ended) for started, ended in rows), today)


def days_of(pauses: Iterable[tuple[date, date | None]], today: date) -> set[date]:
    """Every local day of these pauses (started, ended or None while still paused, up to today)."""
    days: set[date] = set()
    for started, ended in pauses:
        last = min(ended or today, today)
        days.update(started + timedelta(days=n) for n in range((last - started).days + 1))
    return days


async def set_aside(repo: Repository, learner: Learner) -> Sequence[LessonRecord]:
    """Lessons the learner set aside and has not done since, oldest first."""
    return (await repo.session.scalars(
        select(LessonRecord)
        .where(LessonRecord.learner_id == learner.id, LessonRecord.set_aside_at.is_not(None),
               LessonRecord.completed_at.is_(None))
        .order_by(LessonRecord.delivered_at, LessonRecord.id))).all()


async def not_done(repo: Repository, learner: Learner, track_id: str) -> Sequence[LessonRecord]:
    """The lessons of a track the learner has had but not done, oldest first."""
    return (await repo.session.scalars(
        select(LessonRecord)
        .where(LessonRecord.learner_id == learner.id, LessonRecord.track_id == track_id,
               LessonRecord.completed_at.is_(None))
        .order_by(LessonRecord.delivered_at, LessonRecord.id))).all()
