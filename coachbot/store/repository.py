"""Queries the core needs, over one AsyncSession (one unit of work)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.store.models import (
    CheckInAnswer,
    Confidence,
    FaqMiss,
    FollowUp,
    Learner,
    LessonRecord,
    Membership,
    Pause,
    Review,
    Status,
    TrackProgress,
)


class Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def learner(self, platform: str, user_id: str) -> Learner | None:
        return await self.session.scalar(
            select(Learner).where(Learner.platform == platform, Learner.platform_user_id == user_id))

    async def add_learner(self, platform: str, user_id: str, chat_id: str, name: str,
                          zone: str, now: datetime) -> Learner:
        learner = Learner(platform=platform, platform_user_id=user_id, chat_id=chat_id,
                          display_name=name, timezone=zone, delivery_time="09:00",
                          status=Status.NEW, reminders=True, unreachable=False,
                          created_at=now, last_seen_at=now)
        self.session.add(learner)
        await self.session.flush()
        return learner

    async def forget(self, learner: Learner) -> None:
        """Delete the learner and everything stored about them.

        Table by table, not by the foreign keys' cascades: SQLite enforces those only with
        `PRAGMA foreign_keys` on, which a database opened by another tool may not have.
        """
        for table in (CheckInAnswer, LessonRecord, TrackProgress, Membership, FaqMiss, FollowUp,
                      Review, Confidence, Pause):
            await self.session.execute(delete(table).where(table.learner_id == learner.id))
        await self.session.delete(learner)

    async def progress(self, learner: Learner, track_id: str) -> TrackProgress:
        row = await self.session.get(TrackProgress, (learner.id, track_id))
        if row is None:
            row = TrackProgress(learner_id=learner.id, track_id=track_id, position=0)
            self.session.add(row)
            await self.session.flush()
        return row

    async def positions(self, learner: Learner) -> dict[str, int]:
        rows = await self.session.execute(
            select(TrackProgress.track_id, TrackProgress.position).where(
                TrackProgress.learner_id == learner.id))
        return {track: position for track, position in rows}

    async def record(self, learner: Learner, lesson_id: str) -> LessonRecord | None:
        return await self.session.scalar(select(LessonRecord).where(
            LessonRecord.learner_id == learner.id, LessonRecord.lesson_id == lesson_id))

    async def latest_record(self, learner: Learner, track_id: str) -> LessonRecord | None:
        return await self.session.scalar(
            select(LessonRecord)
            .where(LessonRecord.learner_id == learner.id, LessonRecord.track_id == track_id)
            .order_by(LessonRecord.delivered_at.desc(), LessonRecord.id.desc())
            .limit(1))

    async def add_record(self, learner: Learner, track_id: str, lesson_id: str,
                         now: datetime, today: date) -> LessonRecord:
        record = LessonRecord(learner_id=learner.id, track_id=track_id, lesson_id=lesson_id,
                              delivered_at=now, delivered_on=today)
        self.session.add(record)
        await self.session.flush()
        return record

    async def completed_counts(self, learner: Learner) -> dict[str, int]:
        rows = await self.session.execute(
            select(LessonRecord.track_id, func.count())
            .where(LessonRecord.learner_id == learner.id, LessonRecord.completed_at.is_not(None))
            .group_by(LessonRecord.track_id))
        return {track: count for track, count in rows}

    async def done_days(self, learner: Learner) -> Sequence[date]:
        rows = await self.session.scalars(
            select(LessonRecord.completed_on).distinct()
            .where(LessonRecord.learner_id == learner.id, LessonRecord.completed_on.is_not(None)))
        return [day for day in rows if day is not None]

    async def delivered_on(self, learner: Learner, day: date) -> bool:
        found = await self.session.scalar(select(LessonRecord.id).where(
            LessonRecord.learner_id == learner.id, LessonRecord.delivered_on == day).limit(1))
        return found is not None

    async def answered(self, learner: Learner, lesson_id: str) -> CheckInAnswer | None:
        return await self.session.scalar(select(CheckInAnswer).where(
            CheckInAnswer.learner_id == learner.id, CheckInAnswer.lesson_id == lesson_id).limit(1))

    async def add_answer(self, learner: Learner, lesson_id: str, now: datetime,
                         choice: int | None = None, text: str | None = None) -> None:
        self.session.add(CheckInAnswer(learner_id=learner.id, lesson_id=lesson_id,
                                       choice=choice, text=text, answered_at=now))

    async def add_faq_miss(self, learner: Learner, chat_id: str, question: str, normalised: str,
                           now: datetime) -> None:
        self.session.add(FaqMiss(learner_id=learner.id, chat_id=chat_id, question=question,
                                 normalised=normalised[:500], asked_at=now))

    async def faq_misses(self, limit: int = 50) -> list[MissSummary]:
        """Unanswered questions grouped by wording, most often asked first (no names attached)."""
        rows = await self.session.execute(
            select(FaqMiss.normalised, func.count(), func.max(FaqMiss.asked_at), func.max(FaqMiss.question))
            .group_by(FaqMiss.normalised)
            .order_by(func.count().desc(), func.max(FaqMiss.asked_at).desc(), FaqMiss.normalised)
            .limit(limit))
        return [MissSummary(question, count, last) for _normalised, count, last, question in rows]


@dataclass(frozen=True)
class MissSummary:
    question: str  # one of the wordings asked
    count: int
    last_asked: datetime


def encode_choices(actions: Sequence[str]) -> str | None:
    return json.dumps(list(actions)) if actions else None


def decode_choices(raw: str | None) -> list[str]:
    if not raw:
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []
