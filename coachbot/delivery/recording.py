"""Turning claimed outbox rows into messages, checking on the way that each is still wanted.

For a lesson this is where the learner's delivery is recorded (`Progression.deliver_next`),
and for a scheduled group lesson the group's (`take_group_lesson`), in the transaction that
marks the row "sending", just before its request leaves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.delivery.policy import DeliveryPolicy
from coachbot.delivery.window import may_send
from coachbot.groups.chart import charts_available, render_png
from coachbot.groups.report import build_report, render_text
from coachbot.learning.group_progression import take_group_lesson
from coachbot.learning.progression import Progression
from coachbot.learning.render import group_lesson_reply, lesson_reply
from coachbot.localtime import local_date, parse_hhmm
from coachbot.messages import Outgoing, Reply
from coachbot.store.models import (
    Group,
    Learner,
    LessonRecord,
    OutboxKind,
    OutboxMessage,
    Status,
    TrackProgress,
)
from coachbot.store.outbox import DAILY
from coachbot.store.repository import Repository, encode_choices


@dataclass
class Job:
    """A claimed row, ready to send."""

    row_id: int
    kind: str
    attempts: int
    learner_id: int | None
    lesson_id: str | None
    out: Outgoing
    expires_at: datetime
    group_key: str | None = None
    chosen: bool = False  # the lesson was picked now (not planned): a retry picks again


class Skip(str):
    """Why a claimed row is not sent after all."""


async def weekly_digest(session: AsyncSession, row: OutboxMessage, now: datetime) -> Reply | Skip:
    """The group's report as of sending time, with its chart when charts are installed."""
    group = await session.get(Group, int(row.group_key)) if row.group_key else None
    if group is None or not group.active:
        return Skip("the group is gone or the coach was removed from it")
    report = await build_report(session, group, now)
    image = render_png(report) if charts_available() else None
    return Reply("Weekly digest\n" + render_text(report), image=image, image_name="weekly-digest.png")


class Preparer:
    def __init__(self, progression: Progression, policy: DeliveryPolicy) -> None:
        self.progression = progression
        self.content = progression.content
        self.policy = policy

    async def prepare(self, repo: Repository, rows: Sequence[OutboxMessage], now: datetime
                      ) -> list[Job | Skip]:
        learner_ids = [row.learner_id for row in rows if row.learner_id is not None]
        if not learner_ids:
            return [await self._one(repo, row, now, set()) for row in rows]
        session = repo.session
        # Loaded up front in two queries (and held, as the session only keeps weak references),
        # so the per-row lookups below find them without a query each.
        learners = (await session.scalars(select(Learner).where(Learner.id.in_(learner_ids)))).all()
        progress = (await session.scalars(
            select(TrackProgress).where(TrackProgress.learner_id.in_(learner_ids)))).all()
        had_lesson = await self._had_lesson(repo, learner_ids, {row.local_date for row in rows})
        prepared = [await self._one(repo, row, now, had_lesson) for row in rows]
        del learners, progress
        return prepared

    @staticmethod
    async def _had_lesson(repo: Repository, learner_ids: list[int],
                          days: set[date]) -> set[tuple[int, date]]:
        had = await repo.session.execute(
            select(LessonRecord.learner_id, LessonRecord.delivered_on).distinct()
            .where(LessonRecord.learner_id.in_(learner_ids), LessonRecord.delivered_on.in_(days)))
        return {(learner_id, day) for learner_id, day in had}

    async def _one(self, repo: Repository, row: OutboxMessage, now: datetime,
                   had_lesson: set[tuple[int, date]]) -> Job | Skip:
        if row.kind == OutboxKind.GROUP_LESSON and row.slot == DAILY:
            return await self._group_lesson(repo.session, row)
        if row.kind == OutboxKind.GROUP_LESSON:
            found = self.content.lesson(row.lesson_id or "")
            if found is None:
                return Skip(f"lesson {row.lesson_id} is no longer in the curriculum")
            return self._job(row, group_lesson_reply(*found), is_group=True)
        if row.kind == OutboxKind.DIGEST:
            digest = await weekly_digest(repo.session, row, now)
            return digest if isinstance(digest, Skip) else self._job(row, digest, is_group=True)
        if row.kind == OutboxKind.TEXT:
            return self._job(row, Reply(row.body or ""), is_group=row.group_key is not None)
        learner = await repo.session.get(Learner, row.learner_id) if row.learner_id else None
        if learner is None:
            return Skip("the learner no longer exists")
        why = self._not_now(learner, row, now)
        if why:
            return why
        row.chat_id = learner.chat_id
        if row.kind == OutboxKind.REMINDER:
            return await self._reminder(repo, learner, row, now)
        if (learner.id, row.local_date) in had_lesson:
            return Skip("the learner already had a lesson that day")
        return await self._lesson(repo, learner, row, now)

    def _not_now(self, learner: Learner, row: OutboxMessage, now: datetime) -> Skip | None:
        if learner.status != Status.ACTIVE:
            return Skip(f"the learner is {learner.status}")
        if learner.unreachable:
            return Skip("the learner is unreachable")
        if row.kind == OutboxKind.REMINDER and not learner.reminders:
            return Skip("the learner turned reminders off")
        if local_date(now, learner.timezone) != row.local_date:
            return Skip("its day has passed in the learner's time zone")
        chosen = parse_hhmm(learner.delivery_time)
        if chosen and not may_send(now, learner.timezone, chosen, self.policy.quiet_hours):
            return Skip("quiet hours in the learner's time zone")
        return None

    async def _lesson(self, repo: Repository, learner: Learner, row: OutboxMessage,
                      now: datetime) -> Job | Skip:
        delivered = await self.progression.deliver_next(repo, learner, now)
        if delivered is None:
            return Skip("the learner has finished the track")
        reply = lesson_reply(delivered.track, delivered.index)
        assert reply.lesson is not None
        learner.choices = encode_choices([choice.action for choice in reply.choices])
        row.lesson_id = reply.lesson.lesson_id
        return self._job(row, reply, zone=learner.timezone, now=now, chosen=True)

    async def _group_lesson(self, session: AsyncSession, row: OutboxMessage) -> Job | Skip:
        taken = await take_group_lesson(session, self.content, row.group_key)
        if taken is None:
            return Skip("the group has had every lesson of its track, or is gone")
        row.lesson_id = taken.lesson_id
        return self._job(row, group_lesson_reply(taken.track, taken.index), is_group=True, chosen=True)

    async def _reminder(self, repo: Repository, learner: Learner, row: OutboxMessage,
                        now: datetime) -> Job | Skip:
        open_record = await repo.session.scalar(
            select(LessonRecord)
            .where(LessonRecord.learner_id == learner.id, LessonRecord.delivered_on == row.local_date,
                   LessonRecord.completed_at.is_(None))
            .order_by(LessonRecord.delivered_at.desc()).limit(1))
        found = self.content.lesson(open_record.lesson_id) if open_record else None
        if found is None:
            return Skip("the check-in was already answered")
        track, index = found
        text = (f"A gentle nudge: today's check-in for \"{track.lessons[index].title}\" is still "
                "open. Reply to it whenever you're ready, or type today to see the lesson again. "
                "(Type reminders off if you'd rather not get these.)")
        return self._job(row, Reply(text), zone=learner.timezone, now=now)

    @staticmethod
    def _job(row: OutboxMessage, reply: Reply, is_group: bool = False, zone: str | None = None,
             now: datetime | None = None, chosen: bool = False) -> Job:
        metadata = {"kind": row.kind, "outbox_id": str(row.id)}
        if zone and now:
            metadata.update(zone=zone, local_time=now.astimezone(ZoneInfo(zone)).isoformat())
        out = Outgoing(platform=row.platform, chat_id=row.chat_id, reply=reply, is_group=is_group,
                       metadata=metadata)
        return Job(row.id, row.kind, row.attempts, row.learner_id, row.lesson_id, out, row.expires_at,
                   row.group_key, chosen)
