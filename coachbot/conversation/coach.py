"""The coach: one per process, serving every platform; adapters only translate."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot import metrics
from coachbot.clock import Clock
from coachbot.content.models import Content
from coachbot.conversation import commands
from coachbot.conversation.context import Context, Parts, TurnResult
from coachbot.conversation.turn import respond
from coachbot.faq.base import FaqMatcher
from coachbot.groups.membership import ensure_group, ensure_member
from coachbot.groups.roles import is_mentor
from coachbot.learning import waits
from coachbot.learning.progression import Progression
from coachbot.localtime import resolve_zone
from coachbot.messages import ChatKind, Incoming, Reply
from coachbot.queued import WorkQueued
from coachbot.settings import Settings
from coachbot.store.models import Group, Learner
from coachbot.store.repository import Repository, encode_choices
from coachbot.textinput import clean_text

NAME_LIMIT = 200
AS_THE_GROUP = ("You're posting as the group (an anonymous admin), so I can't tell who you are. "
                "Here I take only the mentor commands: {commands}. For lessons of your own, "
                "open a private chat with me.")


def clean_incoming(incoming: Incoming) -> Incoming:
    """Every text field as the database accepts it (see clean_text), once, where it enters."""
    return replace(
        incoming, user_id=clean_text(incoming.user_id), text=clean_text(incoming.text),
        display_name=clean_text(incoming.display_name),
        action=None if incoming.action is None else clean_text(incoming.action),
        chat_id=None if incoming.chat_id is None else clean_text(incoming.chat_id),
        timezone=None if incoming.timezone is None else clean_text(incoming.timezone))


class Coach:
    """Incoming in, replies out, one unit of work per message."""

    def __init__(self, content: Content, sessions: async_sessionmaker[AsyncSession], clock: Clock,
                 faq: FaqMatcher, settings: Settings | None = None, default_zone: str = "UTC",
                 queued: WorkQueued | None = None) -> None:
        self.content = content
        self.sessions = sessions
        self.clock = clock
        self.faq = faq
        self.settings = settings or Settings()
        self.default_zone = default_zone
        self.progression = Progression(content)
        self.parts = Parts(content, self.progression, faq, self.settings, default_zone)
        # Said after a turn that queued something in the outbox has committed (a mentor's
        # push), so a running scheduler can send it now rather than at its next tick.
        self.queued = queued or WorkQueued()

    async def handle(self, incoming: Incoming) -> list[Reply]:
        result = await self.turn(clean_incoming(incoming))
        self._after(incoming.platform, result)
        return result.replies

    async def handle_as_group(self, incoming: Incoming) -> list[Reply]:
        """A message a group sent as itself (Telegram's anonymous admin): mentor commands only.

        Nobody is behind it to record, so no learner or member is stored, and it never counts
        in the group's reports.
        """
        incoming = clean_incoming(incoming)
        parsed = commands.parse(incoming.text)
        if (incoming.chat_kind != ChatKind.GROUP or parsed.command not in commands.MENTOR_COMMANDS
                or parsed.command == "dashboard"):  # a sign-in link needs to know who asks
            return [Reply(AS_THE_GROUP.format(commands=", ".join(commands.MENTOR_COMMANDS)))]
        async with self.sessions() as session, session.begin():
            now = self.clock.now()
            group = await ensure_group(session, incoming.platform, incoming.chat, now,
                                       zone=self.default_zone)
            # A stand-in the mentor commands never read, and never added to the session.
            stand_in = Learner(platform=incoming.platform, platform_user_id=incoming.user_id,
                               timezone=group.timezone, pending=None)
            ctx = Context(incoming, Repository(session), stand_in, group, now, self.parts)
            replies = await commands.run(ctx, parsed)
        self._after(incoming.platform, TurnResult(replies, ctx.queued, ctx.forgotten))
        return replies

    def _after(self, platform: str, result: TurnResult) -> None:
        metrics.INBOUND.labels(platform).inc()
        if result.queued:
            self.queued.say()

    async def turn(self, incoming: Incoming) -> TurnResult:
        async with self.sessions() as session, session.begin():
            repo = Repository(session)
            now = self.clock.now()
            learner, group = await self.identify(repo, incoming, now)
            waits.heard_from(learner)
            ctx = Context(incoming, repo, learner, group, now, self.parts)
            replies = await respond(ctx, incoming.text, incoming.action)
            if not ctx.forgotten:
                offered = [r for r in replies if r.choices]
                if offered:  # a number typed next picks one of these
                    learner.choices = encode_choices([c.action for c in offered[-1].choices])
        return TurnResult(replies, ctx.queued, ctx.forgotten)

    async def identify(self, repo: Repository, incoming: Incoming,
                       now: datetime) -> tuple[Learner, Group | None]:
        """The learner writing (created on first contact) and the group they wrote in, if any."""
        learner = await repo.learner(incoming.platform, incoming.user_id)
        name = incoming.display_name[:NAME_LIMIT]
        if learner is None:
            known = incoming.timezone if incoming.timezone and resolve_zone(incoming.timezone) else None
            # Someone first seen in a group gets lessons in their own private chat, never the group's.
            private_chat = incoming.chat if incoming.chat_kind == ChatKind.PRIVATE else incoming.user_id
            learner = await repo.add_learner(incoming.platform, incoming.user_id, private_chat, name,
                                             known or self.default_zone, now)
        learner.last_seen_at = now
        if name:
            learner.display_name = name
        if incoming.chat_kind == ChatKind.PRIVATE:
            learner.chat_id = incoming.chat
            learner.unreachable = False  # they just wrote to us, so we can write back
            return learner, None
        group = await ensure_group(repo.session, incoming.platform, incoming.chat, now,
                                   zone=self.default_zone)
        # Mentors are kept apart from members, so reports count only the people they coach.
        await ensure_member(repo.session, group, learner, now,
                            mentor=is_mentor(incoming, self.settings.mentors))
        return learner, group
