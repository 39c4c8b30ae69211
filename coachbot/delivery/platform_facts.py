"""Facts a platform reports outside a conversation: blocked, removed, moved."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.store import outbox
from coachbot.store.models import Group, Learner


class PlatformFacts:
    """The core decides what each fact means; adapters only report them."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def reachable(self, platform: str, user_id: str, reachable: bool) -> bool:
        """The person blocked (False) or unblocked (True) the bot; True if we know them."""
        async with self.sessions() as session, session.begin():
            result = await session.execute(
                update(Learner).where(Learner.platform == platform,
                                      Learner.platform_user_id == user_id)
                .values(unreachable=not reachable))
            return bool(getattr(result, "rowcount", 0))

    async def left_group(self, platform: str, chat_id: str) -> None:
        """The bot was removed from a group: no more group lessons or digests there."""
        async with self.sessions() as session, session.begin():
            await session.execute(update(Group).where(Group.platform == platform,
                                                      Group.chat_id == chat_id).values(active=False))

    async def group_moved(self, platform: str, old_chat_id: str, new_chat_id: str) -> None:
        """A group got a new id (Telegram: became a supergroup); keep its members and history."""
        async with self.sessions() as session, session.begin():
            await outbox.move_chat(session, platform, old_chat_id, new_chat_id)
