"""The planner: writes one outbox row per learner and local day once their time has come.

A learner gets the day's row while they have something to be sent: a lesson to come, an open
one (a note says it is waiting), or an extra of the coach's (`learning.daily`).

Learners are found by (zone, delivery time) with set-based INSERT ... SELECT statements, so
planning streams through the database and never loads everyone into memory. Each zone keeps a
mark of the local time it was planned up to; a fresh process starts from the beginning of each
zone's day, which catches up today's missed times once and never earlier days.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, String, and_, case, cast, exists, func, literal, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot import metrics
from coachbot.clock import is_valid_zone
from coachbot.content.models import Content
from coachbot.delivery.policy import DeliveryPolicy
from coachbot.delivery.window import may_send, window_end
from coachbot.groups.planning import next_group_due, plan_groups
from coachbot.learning import coaching
from coachbot.learning.daily import Composer
from coachbot.learning.progression import Progression
from coachbot.localtime import at_local, local_date, parse_hhmm
from coachbot.store.models import (
    Learner,
    LessonRecord,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Status,
    TrackProgress,
    UTCDateTime,
)
from coachbot.store.outbox import DAILY, Scope, insert_once

Row = OutboxMessage
REMINDER_LOOKBACK = timedelta(days=1)
ID_CHUNK = 500
COMMIT_EVERY = 5000
MISSED = ("not sent: coachbot was not running until its send window had passed (quiet hours or "
          "the end of the day); the lesson comes at the next delivery time")

# The zones of active learners, one index seek per zone rather than a scan of every learner
# (a "loose index scan" over the (status, timezone, delivery_time) index).
ZONES = text("""
WITH RECURSIVE zones(name) AS (
    SELECT MIN(timezone) FROM learners WHERE status = :active
    UNION ALL
    SELECT (SELECT MIN(timezone) FROM learners WHERE status = :active AND timezone > zones.name)
    FROM zones WHERE zones.name IS NOT NULL
)
SELECT name FROM zones WHERE name IS NOT NULL""")


def _active(scope: Scope) -> ColumnElement[bool]:
    return and_(Learner.status == Status.ACTIVE, Learner.unreachable.is_(False), scope.learners())


class Planner:
    def __init__(self, content: Content, sessions: async_sessionmaker[AsyncSession],
                 policy: DeliveryPolicy, scope: Scope, composer: Composer | None = None) -> None:
        self.content = content
        self.composer = composer or coaching.composer(Progression(content))
        self.sessions = sessions
        self.policy = policy
        self.scope = scope
        self._marks: dict[str, tuple[date, str]] = {}
        self._planned_at: datetime | None = None
        self._uncommitted = 0
        self._reminders_until: datetime | None = None

    async def plan(self, now: datetime) -> int:
        """Plan every lesson and reminder that has come due; returns the number of new rows."""
        with metrics.PLANNING.time():
            return await self._plan(now)

    async def _plan(self, now: datetime) -> int:
        async with self.sessions() as session:
            planned = await self._plan_lessons(session, now)
            await session.commit()
            self._uncommitted = 0
            planned += await self._plan_reminders(session, now)
            planned += await plan_groups(session, self.content, now, self.scope.platforms)
            await session.commit()
        return planned

    # -- lessons ---------------------------------------------------------------------------

    async def _zones(self, session: AsyncSession) -> list[str]:
        zones = await session.scalars(ZONES, {"active": Status.ACTIVE.value})
        return [zone for zone in zones if is_valid_zone(zone)]

    async def _plan_lessons(self, session: AsyncSession, now: datetime) -> int:
        planned = 0
        for zone in await self._zones(session):
            local = now.astimezone(ZoneInfo(zone))
            day, upto = local.date(), f"{local:%H:%M}"
            since = self._since(zone, day)
            if since is not None and upto <= since:
                continue  # the repeated hour after a fall-back change was planned the first time
            for hhmm in await self._times(session, zone, since, upto):
                chosen = parse_hhmm(hhmm)
                if chosen is not None:
                    planned += await self._plan_slot(session, zone, hhmm, chosen, day, now)
            self._marks[zone] = (day, upto)
        self._planned_at = now
        return planned

    def _since(self, zone: str, day: date) -> str | None:
        """The local time this zone is planned up to today, if any.

        The zone's own mark never moves back in the repeated hour after a fall-back change;
        the last planning instant covers zones that had nobody active then (all paused, say).
        """
        marks = []
        mark = self._marks.get(zone)
        if mark is not None and mark[0] == day:
            marks.append(mark[1])
        if self._planned_at is not None:
            last = self._planned_at.astimezone(ZoneInfo(zone))
            if last.date() == day:
                marks.append(f"{last:%H:%M}")
        return max(marks) if marks else None

    async def _times(self, session: AsyncSession, zone: str, since: str | None, upto: str) -> list[str]:
        query = (select(Learner.delivery_time).distinct()
                 .where(Learner.status == Status.ACTIVE, Learner.timezone == zone,
                        Learner.delivery_time <= upto))
        if since is not None:
            query = query.where(Learner.delivery_time > since)
        return list(await session.scalars(query))

    async def _plan_slot(self, session: AsyncSession, zone: str, hhmm: str, chosen: time,
                         day: date, now: datetime) -> int:
        """Plan one (zone, time) slot of today; returns the rows planned to be sent.

        A slot whose send window has already passed (coachbot was not running until quiet
        hours began) is recorded as skipped, so `coachbot deliveries` shows it; its lesson
        is still the learner's, at their next delivery time.
        """
        due = at_local(day, chosen, zone)
        ends = window_end(day, chosen, zone, chosen, self.policy.quiet_hours)
        missed = ends <= now
        status = OutboxStatus.SKIPPED if missed else OutboxStatus.PENDING
        track = func.coalesce(Learner.current_track, self.content.default_track.id)
        lengths = {t.id: len(t.lessons) for t in self.content.tracks}
        length = case(lengths, value=track, else_=len(self.content.default_track.lessons))
        had_lesson = exists().where(LessonRecord.learner_id == Learner.id,
                                    LessonRecord.delivered_on == day)
        # A lesson of the track still open (not done, not set aside): today says it is waiting.
        open_lesson = exists().where(LessonRecord.learner_id == Learner.id,
                                     LessonRecord.track_id == track,
                                     LessonRecord.completed_at.is_(None),
                                     LessonRecord.set_aside_at.is_(None))
        something = or_(func.coalesce(TrackProgress.position, 0) < length, open_lesson,
                        self.composer.planned(day))
        rows = (
            select(literal(OutboxKind.LESSON.value), literal("learner:") + cast(Learner.id, String),
                   literal(DAILY), Learner.platform, Learner.chat_id, Learner.id, literal(day),
                   literal(due, UTCDateTime()), literal(ends, UTCDateTime()),
                   literal(status.value), literal(0), literal(due, UTCDateTime()),
                   literal(now, UTCDateTime()), literal(MISSED if missed else None, String()))
            .select_from(Learner)
            .outerjoin(TrackProgress, (TrackProgress.learner_id == Learner.id)
                       & (TrackProgress.track_id == track))
            .where(_active(self.scope), Learner.timezone == zone, Learner.delivery_time == hhmm,
                   something, ~had_lesson))
        columns = ["kind", "recipient", "slot", "platform", "chat_id", "learner_id", "local_date",
                   "due_at", "expires_at", "status", "attempts", "next_attempt_at", "created_at",
                   "last_error"]
        result = await session.execute(insert_once(session).from_select(columns, rows))
        planned = max(0, int(getattr(result, "rowcount", 0)))
        self._uncommitted += planned
        if self._uncommitted >= COMMIT_EVERY:  # short writes keep the database open to chats
            await session.commit()
            self._uncommitted = 0
        return 0 if missed else planned

    # -- reminders -------------------------------------------------------------------------

    async def _plan_reminders(self, session: AsyncSession, now: datetime) -> int:
        after = self.policy.reminder_after
        if after is None:
            return 0
        upto = now - after
        since = self._reminders_until or upto - REMINDER_LOOKBACK
        records = (await session.execute(
            select(LessonRecord.learner_id, LessonRecord.lesson_id, LessonRecord.delivered_at,
                   LessonRecord.delivered_on)
            .where(LessonRecord.completed_at.is_(None), LessonRecord.delivered_at > since,
                   LessonRecord.delivered_at <= upto))).all()
        learners = await self._reminded(session, {record[0] for record in records})
        rows = []
        for learner_id, lesson_id, delivered_at, day in records:
            if learner_id not in learners:
                continue
            zone, chosen_text, platform, chat_id = learners[learner_id]
            due = delivered_at + after
            chosen = parse_hhmm(chosen_text) or time(9, 0)
            if local_date(due, zone) != day or not may_send(due, zone, chosen, self.policy.quiet_hours):
                continue  # the nudge would land on another day or in quiet hours: none today
            ends = window_end(day, due.astimezone(ZoneInfo(zone)).time(), zone, chosen,
                              self.policy.quiet_hours)
            rows.append(dict(kind=OutboxKind.REMINDER, recipient=f"learner:{learner_id}", slot=DAILY,
                             platform=platform, chat_id=chat_id, learner_id=learner_id,
                             lesson_id=lesson_id, local_date=day, due_at=due, expires_at=ends,
                             status=OutboxStatus.PENDING, attempts=0, next_attempt_at=due,
                             created_at=now))
        if rows:
            await session.execute(insert_once(session), rows)
            await session.commit()
        self._reminders_until = upto
        return len(rows)

    async def _reminded(self, session: AsyncSession, ids: set[int]) -> dict[int, tuple[str, str, str, str]]:
        """Of these learners, those who want reminders now: zone, time, platform and chat.

        A separate query (not a join), so the database starts from the few recent lessons
        rather than from every active learner.
        """
        found: dict[int, tuple[str, str, str, str]] = {}
        ordered = sorted(ids)
        for start in range(0, len(ordered), ID_CHUNK):
            rows = await session.execute(
                select(Learner.id, Learner.timezone, Learner.delivery_time, Learner.platform,
                       Learner.chat_id)
                .where(Learner.id.in_(ordered[start:start + ID_CHUNK]), Learner.reminders.is_(True),
                       _active(self.scope)))
            found.update({learner_id: (zone, at, platform, chat)
                          for learner_id, zone, at, platform, chat in rows})
        return found

    # -- when next ---------------------------------------------------------------------------

    async def next_due(self, now: datetime) -> datetime | None:
        """The next instant after `now` at which a lesson or a reminder comes due."""
        async with self.sessions() as session:
            found = [await self._next_lesson(session, now), await self._next_reminder(session, now),
                     await next_group_due(session, now, self.scope.platforms)]
        times = [t for t in found if t is not None]
        return min(times) if times else None

    async def _next_lesson(self, session: AsyncSession, now: datetime) -> datetime | None:
        combos = await session.execute(
            select(Learner.timezone, Learner.delivery_time).distinct().where(_active(self.scope)))
        best: datetime | None = None
        for zone, hhmm in combos:
            chosen = parse_hhmm(hhmm)
            if chosen is None or not is_valid_zone(zone):
                continue
            today = local_date(now, zone)
            when = at_local(today, chosen, zone)
            if when <= now:
                when = at_local(today + timedelta(days=1), chosen, zone)
            best = when if best is None else min(best, when)
        return best

    async def _next_reminder(self, session: AsyncSession, now: datetime) -> datetime | None:
        after = self.policy.reminder_after
        if after is None:
            return None
        records = (await session.execute(
            select(LessonRecord.learner_id, LessonRecord.delivered_at)
            .where(LessonRecord.completed_at.is_(None), LessonRecord.delivered_at > now - after)
            .order_by(LessonRecord.delivered_at))).all()
        wanting = await self._reminded(session, {learner_id for learner_id, _ in records})
        earliest = next((at for learner_id, at in records if learner_id in wanting), None)
        return earliest + after if earliest is not None else None
