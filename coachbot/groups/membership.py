"""Recording groups and their members as people talk there."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.store.models import Group, Learner, Membership


async def group_for(session: AsyncSession, platform: str, chat_id: str) -> Group | None:
    return await session.scalar(select(Group).where(Group.platform == platform, Group.chat_id == chat_id))


async def ensure_group(session: AsyncSession, platform: str, chat_id: str, now: datetime,
                       title: str = "", zone: str = "UTC") -> Group:
    group = await group_for(session, platform, chat_id)
    if group is None:
        group = Group(platform=platform, chat_id=chat_id, title=title or chat_id, active=True,
                      timezone=zone, position=0, created_at=now)
        session.add(group)
        await session.flush()
    elif not group.active:
        group.active = True
    return group


async def ensure_member(session: AsyncSession, group: Group, learner: Learner, now: datetime,
                        mentor: bool = False) -> None:
    """Record `learner` in `group`; once seen as its mentor they stay out of its figures."""
    membership = await session.get(Membership, (group.id, learner.id))
    if membership is None:
        session.add(Membership(group_id=group.id, learner_id=learner.id, joined_at=now, mentor=mentor))
        await session.flush()
    elif mentor and not membership.mentor:
        membership.mentor = True


async def mentored_groups(session: AsyncSession, learner_id: int) -> list[Group]:
    """The active groups this person has been seen steering, by title."""
    rows = await session.scalars(
        select(Group).join(Membership, Membership.group_id == Group.id)
        .where(Membership.learner_id == learner_id, Membership.mentor.is_(True), Group.active.is_(True))
        .order_by(Group.title, Group.id))
    return list(rows)
