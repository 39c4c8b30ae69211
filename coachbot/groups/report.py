"""How a group is doing: the figures behind `report`, its chart and the CSV export."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TextIO

from sqlalchemy import Select, String, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.groups.csvsafe import SafeCsvWriter
from coachbot.localtime import local_date
from coachbot.store.models import FaqMiss, Group, Learner, LessonRecord, Membership
from coachbot.streaks import current_streak

ACTIVE_DAYS = 7
CHART_DAYS = 28
STREAK_HISTORY_DAYS = 400
GRACE_EVERY_DAYS = 7
CSV_COLUMNS = ("group", "member", "platform", "user_id", "joined", "last_active", "last_lesson",
               "lessons_done", "current_streak_days", "current_track", "status", "unreachable")


@dataclass
class MemberFigures:
    learner_id: int
    name: str
    platform: str
    user_id: str
    joined: date
    last_seen: date
    current_track: str
    status: str
    unreachable: bool
    zone: str
    lessons_done: int = 0
    last_lesson: date | None = None
    streak: int = 0


@dataclass
class GroupReport:
    group: str
    generated_at: datetime
    members: list[MemberFigures]
    per_day: list[tuple[date, int]]
    top_misses: list[tuple[str, int]] = field(default_factory=list)

    @property
    def today(self) -> date:
        return self.generated_at.date()

    def active(self) -> list[MemberFigures]:
        since = self.today - timedelta(days=ACTIVE_DAYS)
        return [m for m in self.members
                if m.last_seen > since or (m.last_lesson is not None and m.last_lesson > since)]

    def stuck(self) -> list[MemberFigures]:
        """Members with no lesson done in the last 7 days (or none ever)."""
        since = self.today - timedelta(days=ACTIVE_DAYS)
        return [m for m in self.members if not m.unreachable
                and (m.last_lesson is None or m.last_lesson <= since)]

    def unreachable(self) -> list[MemberFigures]:
        return [m for m in self.members if m.unreachable]

    @property
    def lessons_done(self) -> int:
        return sum(m.lessons_done for m in self.members)


async def build_report(session: AsyncSession, group: Group, now: datetime) -> GroupReport:
    """The group's figures, computed in the database and streamed where they could be large."""
    members = await _members(session, group.id)
    member_ids = select(Membership.learner_id).where(Membership.group_id == group.id)
    totals = await session.execute(
        select(LessonRecord.learner_id, func.count(), func.max(LessonRecord.completed_on))
        .where(LessonRecord.learner_id.in_(member_ids), LessonRecord.completed_at.is_not(None))
        .group_by(LessonRecord.learner_id))
    for learner_id, count, last in totals:
        members[learner_id].lessons_done, members[learner_id].last_lesson = int(count), last
    await _streaks(session, members, member_ids, now)
    per_day = await _per_day(session, member_ids, now)
    misses = await _top_misses(session, group)
    return GroupReport(group.title or group.chat_id, now, list(members.values()), per_day, misses)


async def _members(session: AsyncSession, group_id: int) -> dict[int, MemberFigures]:
    rows = await session.execute(
        select(Learner, Membership.joined_at)
        .join(Membership, Membership.learner_id == Learner.id)
        .where(Membership.group_id == group_id)
        .order_by(Learner.display_name, Learner.id))
    return {learner.id: MemberFigures(
        learner.id, learner.display_name or learner.platform_user_id, learner.platform,
        learner.platform_user_id, joined.date(), learner.last_seen_at.date(),
        learner.current_track or "", learner.status, learner.unreachable, learner.timezone)
        for learner, joined in rows}


def _joined_days(session: AsyncSession, column: Any) -> Any:
    """Aggregate days into one comma-separated string (each dialect names it differently)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.string_agg(cast(column, String), ",")
    return func.group_concat(column, ",")


async def _streaks(session: AsyncSession, members: dict[int, MemberFigures], member_ids: Select[int],
                   now: datetime) -> None:
    """One row per member with all their recent days, so a large group is a few thousand rows."""
    since = now.date() - timedelta(days=STREAK_HISTORY_DAYS)
    days = (select(LessonRecord.learner_id, LessonRecord.completed_on).distinct()
            .where(LessonRecord.learner_id.in_(member_ids), LessonRecord.completed_on >= since)
            .subquery())
    rows = await session.execute(
        select(days.c.learner_id, _joined_days(session, days.c.completed_on))
        .group_by(days.c.learner_id))
    for learner_id, joined in rows:
        member = members[learner_id]
        done = [date.fromisoformat(day) for day in (joined or "").split(",") if day]
        member.streak = current_streak(done, local_date(now, member.zone), GRACE_EVERY_DAYS).days


async def _per_day(session: AsyncSession, member_ids: Select[int],
                   now: datetime) -> list[tuple[date, int]]:
    first = now.date() - timedelta(days=CHART_DAYS - 1)
    rows = await session.execute(
        select(LessonRecord.completed_on, func.count())
        .where(LessonRecord.learner_id.in_(member_ids), LessonRecord.completed_on >= first)
        .group_by(LessonRecord.completed_on))
    counts = {day: int(n) for day, n in rows if day is not None}
    return [(first + timedelta(days=i), counts.get(first + timedelta(days=i), 0))
            for i in range(CHART_DAYS)]


async def _top_misses(session: AsyncSession, group: Group, limit: int = 5) -> list[tuple[str, int]]:
    """The group's most asked unanswered questions, counted, never with who asked them."""
    rows = await session.execute(
        select(func.min(FaqMiss.question), func.count())
        .where(FaqMiss.chat_id == group.chat_id)
        .group_by(FaqMiss.normalised)
        .order_by(func.count().desc(), func.min(FaqMiss.question))
        .limit(limit))
    return [(question, int(count)) for question, count in rows]


def _names(members: Iterable[MemberFigures], limit: int = 15) -> str:
    names = [m.name for m in members]
    if len(names) > limit:
        return ", ".join(names[:limit]) + f" and {len(names) - limit} more"
    return ", ".join(names) if names else "nobody"


def render_text(report: GroupReport) -> str:
    week = sum(n for day, n in report.per_day if day > report.today - timedelta(days=ACTIVE_DAYS))
    streaks = sorted((m for m in report.members if m.streak), key=lambda m: (-m.streak, m.name))[:5]
    lines = [
        f"Group report: {report.group} ({report.today.isoformat()})",
        f"Members: {len(report.members)}, active in the last 7 days: {len(report.active())}",
        f"Lessons done: {report.lessons_done} in all, {week} in the last 7 days",
        "Longest current streaks: " + (", ".join(f"{m.name} {m.streak}d" for m in streaks) or "none yet"),
        f"No lesson done in 7 days or more: {_names(report.stuck())}",
        f"Unreachable (blocked the bot or left): {_names(report.unreachable())}",
    ]
    if report.top_misses:
        lines.append("Questions the FAQ couldn't answer here (who asked is not shown):")
        lines += [f"  {count}x {question[:80]}" for question, count in report.top_misses]
    return "\n".join(lines)


def write_csv(reports: Iterable[GroupReport], out: TextIO) -> int:
    """One row per member per group; ISO dates; returns the rows written."""
    writer = SafeCsvWriter(out)  # display names are chosen by users: never let one be a formula
    writer.writerow(CSV_COLUMNS)
    rows = 0
    for report in reports:
        for m in report.members:
            writer.writerow([report.group, m.name, m.platform, m.user_id, m.joined.isoformat(),
                             max(m.last_seen, m.last_lesson or m.last_seen).isoformat(),
                             m.last_lesson.isoformat() if m.last_lesson else "", m.lessons_done,
                             m.streak, m.current_track, m.status, "yes" if m.unreachable else "no"])
            rows += 1
    return rows
