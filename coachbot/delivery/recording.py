"""Turning claimed outbox rows into messages, checking on the way that each is still wanted.

For a learner's daily row this is where the coach decides what to send (`Composer.today`:
the next lesson, recorded as delivered, or a note that the open one waits) and plans the day's
one extra as a row of its own; for a scheduled group lesson the group's lesson is taken
(`take_group_lesson`). Both happen in the transaction that marks the row "sending", just
before its request leaves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.delivery.policy import DeliveryPolicy
from coachbot.delivery.window import may_send
from coachbot.groups.chart import charts_available, render_png
from coachbot.groups.report import build_report, render_text
from coachbot.learning.daily import Composer, Extra
from coachbot.learning.group_progression import take_group_lesson
from coachbot.learning.render import group_lesson_reply
from coachbot.localtime import local_date, parse_hhmm
from coachbot.messages import Outgoing, Reply
from coachbot.store.models import (
    Group,
    Learner,
    LessonRecord,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Status,
    TrackProgress,
)
from coachbot.store.outbox import DAILY, enqueue
from coachbot.store.repository import Repository

# The extra goes a little after the day's message, so it arrives second whoever sends it.
EXTRA_AFTER = timedelta(seconds=5)


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
    def __init__(self, composer: Composer, policy: DeliveryPolicy) -> None:
        self.composer = composer
        self.content = composer.content
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
        if row.kind == OutboxKind.COACH:
            return await self._extra(repo, learner, row, now)
        if (learner.id, row.local_date) in had_lesson:
            return Skip("the learner already had a lesson that day")
        return await self._daily(repo, learner, row, now)

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

    async def _daily(self, repo: Repository, learner: Learner, row: OutboxMessage,
                     now: datetime) -> Job | Skip:
        """The day's message, and its extra planned as a row of its own (or sent in its place)."""
        day = await self.composer.today(repo, learner, now)
        if day.main is None:
            if day.extra is None:
                return Skip("nothing to send today: the track is done and nothing else is due")
            reply = await self.composer.render(repo, learner, day.extra, now)
            if reply is None:
                return Skip(f"its {day.extra.what} was no longer due")
            row.body = day.extra.body
            return self._job(row, reply, zone=learner.timezone, now=now)
        row.lesson_id = day.main.lesson_id
        if day.extra is not None and not await self._reminded(repo, learner, row.local_date):
            await enqueue(repo.session, kind=OutboxKind.COACH, recipient=row.recipient, slot=DAILY,
                          platform=row.platform, chat_id=learner.chat_id, local_date=row.local_date,
                          due_at=now + EXTRA_AFTER, expires_at=row.expires_at, now=now,
                          learner_id=learner.id, body=day.extra.body)
        return self._job(row, day.main.reply, zone=learner.timezone, now=now,
                         chosen=day.main.lesson_id is not None)

    async def _extra(self, repo: Repository, learner: Learner, row: OutboxMessage,
                     now: datetime) -> Job | Skip:
        extra = Extra.parse(row.body)
        if extra is None:
            return Skip("an extra message of an unknown kind")
        if await self._reminded(repo, learner, row.local_date):
            return Skip("the learner already had a reminder that day")
        reply = await self.composer.render(repo, learner, extra, now)
        if reply is None:
            return Skip(f"its {extra.what} was no longer due")
        return self._job(row, reply, zone=learner.timezone, now=now)

    async def _reminded(self, repo: Repository, learner: Learner, day: date) -> bool:
        """A reminder went (or is going) out that day: the day's one extra is taken."""
        return await self._had(repo, learner, day, OutboxKind.REMINDER)

    @staticmethod
    async def _had(repo: Repository, learner: Learner, day: date, kind: OutboxKind,
                   pending: bool = False) -> bool:
        """A message of this kind went (or may have gone, or is still to go) out that day."""
        statuses = [OutboxStatus.SENT, OutboxStatus.SENDING, OutboxStatus.UNCERTAIN]
        if pending:
            statuses += [OutboxStatus.PENDING, OutboxStatus.CLAIMED]
        found = await repo.session.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.recipient == f"learner:{learner.id}", OutboxMessage.kind == kind,
                OutboxMessage.local_date == day, OutboxMessage.status.in_(statuses)).limit(1))
        return found is not None

    async def _group_lesson(self, session: AsyncSession, row: OutboxMessage) -> Job | Skip:
        taken = await take_group_lesson(session, self.content, row.group_key)
        if taken is None:
            return Skip("the group has had every lesson of its track, or is gone")
        row.lesson_id = taken.lesson_id
        return self._job(row, group_lesson_reply(taken.track, taken.index), is_group=True, chosen=True)

    async def _reminder(self, repo: Repository, learner: Learner, row: OutboxMessage,
                        now: datetime) -> Job | Skip:
        if await self._had(repo, learner, row.local_date, OutboxKind.COACH, pending=True):
            return Skip("the day's one extra message was another one")
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
