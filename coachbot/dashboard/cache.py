"""Group figures kept for a minute, so paging and sorting a large group's members is quick.

An entry is used only while the group's members look unchanged (how many there are, and
when any of them last wrote), so a learner who joins, writes or asks to be forgotten shows
at once; anything else (an unreachable mark, a day passing) shows within a minute.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.groups.report import GroupReport, build_report
from coachbot.store.models import Group, Learner, Membership

FRESH_FOR = timedelta(minutes=1)
GROUPS_KEPT = 32
Fingerprint = tuple[int, datetime | None]


class ReportCache:
    def __init__(self) -> None:
        self._kept: OrderedDict[int, tuple[Fingerprint, datetime, GroupReport]] = OrderedDict()

    async def report(self, session: AsyncSession, group: Group, now: datetime) -> GroupReport:
        fingerprint = await _fingerprint(session, group.id)
        kept = self._kept.get(group.id)
        if kept is not None and kept[0] == fingerprint and now - kept[1] < FRESH_FOR:
            return kept[2]
        report = await build_report(session, group, now)
        self._kept[group.id] = (fingerprint, now, report)
        self._kept.move_to_end(group.id)
        while len(self._kept) > GROUPS_KEPT:
            self._kept.popitem(last=False)
        return report


async def _fingerprint(session: AsyncSession, group_id: int) -> Fingerprint:
    row = (await session.execute(
        select(func.count(), func.max(Learner.last_seen_at))
        .join(Membership, Membership.learner_id == Learner.id)
        .where(Membership.group_id == group_id, Membership.mentor.is_(False)))).one()
    return int(row[0]), row[1]
