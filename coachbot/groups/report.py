"""How a group is doing: the figures behind `report`, its chart, the dashboard and the CSV export.

Days are each member's own local calendar day: a lesson done at 23:30 in Tokyo counts on
Tokyo's date, the day the member saw it. "The last 7 days" is each member's own last seven
days. The report is dated in the group's time zone; its chart ends on the latest day any
member has reached, so a member in a zone ahead of the group's is never left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any, TextIO

from sqlalchemy import Select, String, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.groups import lift  # noqa: F401  (registers the confidence lift section)
from coachbot.groups.csvsafe import SafeCsvWriter
from coachbot.groups.followups import followup_section
from coachbot.groups.sections import Section, gather, register
from coachbot.learning.waits import SILENCE, days_of
from coachbot.localtime import local_date
from coachbot.store.models import FaqMiss, Group, Learner, LessonRecord, Membership, Pause
from coachbot.streaks import current_streak

ACTIVE_DAYS = 7
CHART_DAYS = 28
STREAK_HISTORY_DAYS = 400
STREAK_RECENT_DAYS = 35
GRACE_EVERY_DAYS = 7
PAUSED_BY_SILENCE = "paused by silence"
CSV_COLUMNS = ("group", "member", "platform", "user_id", "timezone", "joined", "last_active",
               "last_lesson", "lessons_done", "current_streak_days", "current_track", "status",
               "unreachable")
register(followup_section)  # the coaching figures every report shows once there are any


@dataclass
class MemberFigures:
    """One member's figures; every date is a day in the member's own zone."""

    learner_id: int
    name: str
    platform: str
    user_id: str
    zone: str
    today: date
    joined: date
    since: date  # the first day the coach knew them, in this group or privately
    last_seen: date
    current_track: str
    status: str
    unreachable: bool
    lessons_done: int = 0
    last_lesson: date | None = None
    streak: int = 0
    paused_reason: str | None = None  # "silence": the coach paused them, not they themselves

    # Read only once the report is built, then kept: a large group's page sorts and counts
    # its members by these many times over.
    @cached_property
    def last_active(self) -> date:
        return max(self.last_seen, self.last_lesson or self.last_seen)

    @cached_property
    def active(self) -> bool:
        return self.last_active > self.today - timedelta(days=ACTIVE_DAYS)

    @cached_property
    def new(self) -> bool:
        """Known for less than a week: too soon to call them stuck."""
        return self.since > self.today - timedelta(days=ACTIVE_DAYS)

    @cached_property
    def stuck(self) -> bool:
        """No lesson done in the last 7 days (or none ever), though known for a week or more."""
        since = self.today - timedelta(days=ACTIVE_DAYS)
        return (not self.unreachable and not self.new
                and (self.last_lesson is None or self.last_lesson <= since))

    @cached_property
    def standing(self) -> str:
        """A word for the dashboard: unreachable, paused (by themselves or by silence), stopped,
        stuck, new or on track."""
        if self.unreachable:
            return "unreachable"
        if self.status == "paused" and self.paused_reason == SILENCE:
            return PAUSED_BY_SILENCE
        if self.status in ("paused", "stopped"):
            return self.status
        if self.stuck:
            return "stuck"
        return "new" if self.new else "on track"


@dataclass
class GroupReport:
    group: str
    group_id: int
    zone: str
    generated_at: datetime
    today: date  # in the group's zone
    members: list[MemberFigures]
    per_day: list[tuple[date, int]]
    top_misses: list[tuple[str, int]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    def active(self) -> list[MemberFigures]:
        return [m for m in self.members if m.active]

    def stuck(self) -> list[MemberFigures]:
        return [m for m in self.members if m.stuck]

    def newcomers(self) -> list[MemberFigures]:
        return [m for m in self.members if m.new and not m.unreachable]

    def paused(self, by_silence: bool) -> list[MemberFigures]:
        """Members who paused their lessons themselves, or (by_silence) whom the coach paused."""
        standing = PAUSED_BY_SILENCE if by_silence else "paused"
        return [m for m in self.members if m.standing == standing]

    def unreachable(self) -> list[MemberFigures]:
        return [m for m in self.members if m.unreachable]

    @property
    def lessons_done(self) -> int:
        return sum(m.lessons_done for m in self.members)

    @property
    def last_week(self) -> int:
        """Lessons done in the last 7 days of the chart (each member's own days)."""
        return sum(n for _day, n in self.per_day[-ACTIVE_DAYS:])


def member_ids_of(group_id: int) -> Select[int]:
    """The group's members (its mentors left out), as a subquery."""
    return select(Membership.learner_id).where(Membership.group_id == group_id,
                                               Membership.mentor.is_(False))


async def build_report(session: AsyncSession, group: Group, now: datetime) -> GroupReport:
    """The group's figures, computed in the database and streamed where they could be large."""
    members = await _members(session, group.id, now)
    member_ids = member_ids_of(group.id)
    totals = await session.execute(
        select(LessonRecord.learner_id, func.count(), func.max(LessonRecord.completed_on))
        .where(LessonRecord.learner_id.in_(member_ids), LessonRecord.completed_at.is_not(None))
        .group_by(LessonRecord.learner_id))
    for learner_id, count, last in totals:
        members[learner_id].lessons_done, members[learner_id].last_lesson = int(count), last
    today = local_date(now, group.timezone)
    end = max([today, *(m.today for m in members.values())])
    await _streaks(session, members, member_ids, end)
    per_day = await _per_day(session, member_ids, end)
    misses = await top_misses(session, group)
    sections = await gather(session, group, member_ids, now)
    return GroupReport(group.title or group.chat_id, group.id, group.timezone, now, today,
                       list(members.values()), per_day, misses, sections)


async def _members(session: AsyncSession, group_id: int, now: datetime) -> dict[int, MemberFigures]:
    # Columns, not Learner objects: a large group loads several times faster.
    rows = await session.execute(
        select(Learner.id, Learner.display_name, Learner.platform, Learner.platform_user_id,
               Learner.timezone, Membership.joined_at, Learner.created_at, Learner.last_seen_at,
               Learner.current_track, Learner.status, Learner.unreachable, Learner.paused_reason)
        .join(Membership, Membership.learner_id == Learner.id)
        .where(Membership.group_id == group_id, Membership.mentor.is_(False))
        .order_by(Learner.display_name, Learner.id))
    found: dict[int, MemberFigures] = {}
    for (learner_id, name, platform, user_id, zone, joined, created, seen, track, status,
         unreachable, paused_reason) in rows:
        found[learner_id] = MemberFigures(
            learner_id, name or user_id, platform, user_id, zone, local_date(now, zone),
            local_date(joined, zone), local_date(min(joined, created), zone), local_date(seen, zone),
            track or "", status, unreachable, paused_reason=paused_reason)
    return found


def _joined_days(session: AsyncSession, column: Any) -> Any:
    """Aggregate days into one comma-separated string (each dialect names it differently)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.string_agg(cast(column, String), ",")
    return func.group_concat(column, ",")


async def _streaks(session: AsyncSession, members: dict[int, MemberFigures],
                   member_ids: Select[int], end: date) -> None:
    """Streaks from recent days first; only members whose streak reaches further back than
    that are read again with their long history (most streaks are short)."""
    recent = await _days(session, member_ids, end - timedelta(days=STREAK_RECENT_DAYS))
    paused = await _paused(session, member_ids, members)
    longer = []
    for learner_id, done in recent.items():
        member = members[learner_id]
        member.streak = current_streak(done, member.today, GRACE_EVERY_DAYS, paused.get(learner_id, ())).days
        if member.streak >= STREAK_RECENT_DAYS - GRACE_EVERY_DAYS:
            longer.append(learner_id)
    for start in range(0, len(longer), 500):
        chunk = longer[start:start + 500]
        history = await _days(session, chunk, end - timedelta(days=STREAK_HISTORY_DAYS))
        for learner_id, done in history.items():
            member = members[learner_id]
            member.streak = current_streak(done, member.today, GRACE_EVERY_DAYS,
                                           paused.get(learner_id, ())).days


async def _paused(session: AsyncSession, member_ids: Select[int],
                  members: dict[int, MemberFigures]) -> dict[int, set[date]]:
    """Each member's paused days (a streak is frozen on them), for the few who ever paused."""
    pauses: dict[int, list[tuple[date, date | None]]] = {}
    rows = await session.execute(select(Pause.learner_id, Pause.started_on, Pause.ended_on)
                                 .where(Pause.learner_id.in_(member_ids)))
    for learner_id, started, ended in rows:
        pauses.setdefault(learner_id, []).append((started, ended))
    return {learner_id: days_of(spans, members[learner_id].today)
            for learner_id, spans in pauses.items()}


async def _days(session: AsyncSession, learners: Select[int] | list[int],
                since: date) -> dict[int, list[date]]:
    """Each learner's distinct days with a lesson done since `since`: one row per learner."""
    days = (select(LessonRecord.learner_id, LessonRecord.completed_on).distinct()
            .where(LessonRecord.learner_id.in_(learners), LessonRecord.completed_on >= since)
            .subquery())
    rows = await session.execute(
        select(days.c.learner_id, _joined_days(session, days.c.completed_on))
        .group_by(days.c.learner_id))
    return {learner_id: [date.fromisoformat(day) for day in (joined or "").split(",") if day]
            for learner_id, joined in rows}


async def _per_day(session: AsyncSession, member_ids: Select[int],
                   end: date) -> list[tuple[date, int]]:
    first = end - timedelta(days=CHART_DAYS - 1)
    rows = await session.execute(
        select(LessonRecord.completed_on, func.count())
        .where(LessonRecord.learner_id.in_(member_ids), LessonRecord.completed_on >= first)
        .group_by(LessonRecord.completed_on))
    counts = {day: int(n) for day, n in rows if day is not None}
    return [(first + timedelta(days=i), counts.get(first + timedelta(days=i), 0))
            for i in range(CHART_DAYS)]


async def top_misses(session: AsyncSession, group: Group, limit: int = 5) -> list[tuple[str, int]]:
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
    streaks = sorted((m for m in report.members if m.streak), key=lambda m: (-m.streak, m.name))[:5]
    lines = [
        f"Group report: {report.group} ({report.today.isoformat()})",
        f"Members: {len(report.members)}, active in the last 7 days: {len(report.active())}",
        f"Lessons done: {report.lessons_done} in all, {report.last_week} in the last 7 days",
        "Longest current streaks: " + (", ".join(f"{m.name} {m.streak}d" for m in streaks) or "none yet"),
        f"No lesson done in 7 days or more: {_names(report.stuck())}",
    ]
    if report.newcomers():
        lines.append(f"New this week (too soon to count as stuck): {_names(report.newcomers())}")
    lines.append(f"Paused by themselves: {_names(report.paused(by_silence=False))}; paused by "
                 f"silence (no answer for days): {_names(report.paused(by_silence=True))}")
    lines.append(f"Unreachable (blocked the bot or left): {_names(report.unreachable())}")
    for section in report.sections:
        lines.append(f"{section.title}: " + "; ".join(f"{f.label} {f.value}" for f in section.figures))
    if report.top_misses:
        lines.append("Questions the FAQ couldn't answer here (who asked is not shown):")
        lines += [f"  {count}x {question[:80]}" for question, count in report.top_misses]
    return "\n".join(lines)


def write_csv(reports: Iterable[GroupReport], out: TextIO) -> int:
    """One row per member per group; ISO dates, each the member's local day in `timezone`."""
    writer = SafeCsvWriter(out)  # display names are chosen by users: never let one be a formula
    writer.writerow(CSV_COLUMNS)
    rows = 0
    for report in reports:
        for m in report.members:
            writer.writerow([report.group, m.name, m.platform, m.user_id, m.zone, m.joined.isoformat(),
                             m.last_active.isoformat(),
                             m.last_lesson.isoformat() if m.last_lesson else "", m.lessons_done,
                             m.streak, m.current_track, m.status, "yes" if m.unreachable else "no"])
            rows += 1
    return rows
