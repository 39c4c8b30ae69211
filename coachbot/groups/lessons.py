"""Group lessons go through the delivery outbox, so each is sent once and within limits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.localtime import end_of_day, local_date
from coachbot.store import outbox
from coachbot.store.models import Group, OutboxKind


def group_recipient(group: Group) -> str:
    """The group's key in the outbox: its own id, which stays when its chat gets a new id."""
    return f"group:{group.id}"


async def queue_group_lesson(session: AsyncSession, group: Group, lesson_id: str,
                             due_at: datetime) -> bool:
    """Plan `lesson_id` for the group; False when it is already planned for that local day."""
    day = local_date(due_at, group.timezone)
    return await outbox.enqueue(
        session, kind=OutboxKind.GROUP_LESSON, recipient=group_recipient(group), slot=lesson_id,
        platform=group.platform, chat_id=group.chat_id, local_date=day, due_at=due_at,
        expires_at=end_of_day(day, group.timezone), now=due_at,
        group_key=str(group.id), lesson_id=lesson_id)
