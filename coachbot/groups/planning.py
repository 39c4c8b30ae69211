"""Planning for groups: the daily group lesson and the weekly digest, through the outbox.

Groups are few next to learners, so they are planned one by one; the outbox's unique
constraint still makes each lesson and digest go out at most once per local day (the key is
the group's own id, so a group whose chat id changes is not planned twice). Which lesson a
scheduled row carries is decided when it goes out (`coachbot.learning.group_progression`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.content.models import Content
from coachbot.groups.lessons import group_recipient
from coachbot.learning.group_progression import group_track
from coachbot.localtime import at_local, end_of_day, local_date, parse_hhmm
from coachbot.store import outbox
from coachbot.store.models import Group, OutboxKind

DIGEST_SLOT = "digest"


def first_day(now: datetime, zone: str, at: time) -> date:
    """The first local day a new schedule applies: today if its time is still ahead."""
    today = local_date(now, zone)
    return today if at_local(today, at, zone) > now else today + timedelta(days=1)


async def plan_groups(session: AsyncSession, content: Content, now: datetime,
                      platforms: Collection[str]) -> int:
    """Queue every group lesson and digest whose local time has come today; returns rows added."""
    groups = await session.scalars(
        select(Group).where(Group.active.is_(True), Group.platform.in_(sorted(platforms)),
                            or_(Group.schedule_time.is_not(None), Group.digest_weekday.is_not(None))))
    planned = 0
    for group in list(groups):
        day = local_date(now, group.timezone)
        planned += await _plan_lesson(session, content, group, day, now)
        planned += await _plan_digest(session, group, day, now)
    return planned


async def _plan_lesson(session: AsyncSession, content: Content, group: Group, day: date,
                       now: datetime) -> int:
    at = parse_hhmm(group.schedule_time or "")
    if at is None or (group.schedule_from is not None and day < group.schedule_from):
        return 0
    due = at_local(day, at, group.timezone)
    if due > now or group.position >= len(group_track(content, group).lessons):
        return 0
    queued = await outbox.enqueue(
        session, kind=OutboxKind.GROUP_LESSON, recipient=group_recipient(group), slot=outbox.DAILY,
        platform=group.platform, chat_id=group.chat_id, local_date=day, due_at=due,
        expires_at=end_of_day(day, group.timezone), now=now, group_key=str(group.id))
    return int(queued)


async def _plan_digest(session: AsyncSession, group: Group, day: date, now: datetime) -> int:
    at = parse_hhmm(group.digest_time or "")
    if at is None or group.digest_weekday != day.weekday():
        return 0
    due = at_local(day, at, group.timezone)
    if due > now:
        return 0
    queued = await outbox.enqueue(
        session, kind=OutboxKind.DIGEST, recipient=group_recipient(group), slot=DIGEST_SLOT,
        platform=group.platform, chat_id=group.chat_id, local_date=day, due_at=due,
        expires_at=end_of_day(day, group.timezone), now=now, group_key=str(group.id))
    return int(queued)


async def next_group_due(session: AsyncSession, now: datetime, platforms: Collection[str]) -> datetime | None:
    """The next instant after `now` at which a group lesson or digest comes due."""
    groups = await session.scalars(
        select(Group).where(Group.active.is_(True), Group.platform.in_(sorted(platforms)),
                            or_(Group.schedule_time.is_not(None), Group.digest_weekday.is_not(None))))
    found: list[datetime] = []
    for group in groups:
        today = local_date(now, group.timezone)
        for offset in range(8):
            day = today + timedelta(days=offset)
            times = [parse_hhmm(group.schedule_time or "")]
            if group.digest_weekday == day.weekday():
                times.append(parse_hhmm(group.digest_time or ""))
            due = [at_local(day, at, group.timezone) for at in times if at is not None]
            later = [d for d in due if d > now]
            if later:
                found.append(min(later))
                break
    return min(found) if found else None
