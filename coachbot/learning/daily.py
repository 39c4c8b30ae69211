"""What the coach sends a learner of its own each day: the daily message and at most one extra.

At the learner's delivery time the daily outbox row asks `Composer.today` what to send. The
*main* message is the next lesson, or a note that the open one is still waiting, or nothing
(the track is done). Then the first *extra* that is due, in the order of `providers` (a
confidence question, a follow-up on a "try this", a review, the plan's nudge), goes with it as
a second message of its own (an outbox row of kind "coach", at most one a learner and day by
the outbox's unique constraint). On a day with no main message the extra is sent in the daily
row instead, so a learner never gets more than two messages a day the coach began.

A provider is one kind of extra: `due` says whether it has one for this learner today (its
key: a lesson id, "<track>:<moment>"...), `render` turns that key into the message, opening
the conversation state that takes its answer, and `planned` is the same test in SQL, so the
planner writes a daily row for a learner whose track is done but who has a review due.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import ColumnElement, false, or_, select

from coachbot.content.models import Content
from coachbot.learning import waits
from coachbot.learning.progression import Progression
from coachbot.learning.render import lesson_reply
from coachbot.localtime import local_date
from coachbot.messages import Reply
from coachbot.store.models import Learner, OutboxKind, OutboxMessage, OutboxStatus
from coachbot.store.repository import Repository, encode_choices


@dataclass(frozen=True)
class Extra:
    """One extra message planned for a learner: which provider, and what about."""

    what: str
    key: str

    @property
    def body(self) -> str:
        """As stored in the outbox row's `body`."""
        return f"{self.what}:{self.key}"

    @staticmethod
    def parse(body: str | None) -> Extra | None:
        what, _, key = (body or "").partition(":")
        return Extra(what, key) if what and key else None


class Provider(Protocol):
    """One kind of extra message (see the module's text)."""

    what: str

    async def due(self, repo: Repository, learner: Learner, today: date, now: datetime) -> str | None:
        """The key of what is due for this learner today, or None."""

    async def render(self, repo: Repository, learner: Learner, key: str, now: datetime) -> Reply | None:
        """The message for `key`, opening the state that takes its answer; None: no longer due."""

    def planned(self, today: date) -> ColumnElement[bool]:
        """In SQL, on `Learner`: this learner may have something due today (may be broader)."""


@dataclass(frozen=True)
class Main:
    """The daily message itself: a lesson (`lesson_id` set), or a note about the open one."""

    reply: Reply
    lesson_id: str | None = None  # a lesson delivered now: withdrawn if the send surely failed
    final: bool = False  # nothing may follow it today (lessons were just paused)


@dataclass(frozen=True)
class Day:
    main: Main | None
    extra: Extra | None


class Composer:
    """Decides each learner's daily message and extra; the same for every platform."""

    def __init__(self, progression: Progression, providers: Sequence[Provider] = ()) -> None:
        self.progression = progression
        self.content: Content = progression.content
        self.providers = {provider.what: provider for provider in providers}

    async def today(self, repo: Repository, learner: Learner, now: datetime) -> Day:
        main = await self.main(repo, learner, now)
        if main is not None and main.final:
            return Day(main, None)
        return Day(main, await self.extra(repo, learner, now))

    async def main(self, repo: Repository, learner: Learner, now: datetime) -> Main | None:
        """The next lesson of the learner's track, recorded as delivered now; while the current
        one is still open from an earlier day, the note that it waits (or the pause) instead."""
        waiting = await waits.at_delivery(repo, self.progression, learner, now)
        if waiting is not None:
            return Main(waiting.reply, final=waiting.paused)
        delivered = await self.progression.deliver_next(repo, learner, now)
        if delivered is None:
            return None
        reply = lesson_reply(delivered.track, delivered.index)
        learner.choices = encode_choices([choice.action for choice in reply.choices])
        return Main(reply, delivered.lesson.id)

    async def extra(self, repo: Repository, learner: Learner, now: datetime) -> Extra | None:
        """The first extra due, unless it is of the kind sent last time and another is due too:
        a learner who does every lesson would otherwise get a follow-up every day and never
        a review."""
        today = local_date(now, learner.timezone)
        due = [Extra(provider.what, key) for provider in self.providers.values()
               if (key := await provider.due(repo, learner, today, now)) is not None]
        if len(due) < 2:
            return due[0] if due else None
        last = await self._last_kind(repo, learner, today)
        return next((extra for extra in due if extra.what != last), due[0])

    @staticmethod
    async def _last_kind(repo: Repository, learner: Learner, today: date) -> str | None:
        """What the learner's latest extra before today was about ("followup", "review"...)."""
        body = await repo.session.scalar(
            select(OutboxMessage.body)
            .where(OutboxMessage.recipient == f"learner:{learner.id}",
                   OutboxMessage.kind.in_((OutboxKind.COACH, OutboxKind.LESSON)),
                   OutboxMessage.body.is_not(None), OutboxMessage.local_date < today,
                   OutboxMessage.status.in_((OutboxStatus.SENT, OutboxStatus.UNCERTAIN)))
            .order_by(OutboxMessage.local_date.desc(), OutboxMessage.id.desc()).limit(1))
        extra = Extra.parse(body)
        return extra.what if extra else None

    async def render(self, repo: Repository, learner: Learner, extra: Extra, now: datetime) -> Reply | None:
        provider = self.providers.get(extra.what)
        return None if provider is None else await provider.render(repo, learner, extra.key, now)

    def planned(self, today: date) -> ColumnElement[bool]:
        """Learners who may have an extra due today, whatever their lessons."""
        conditions = [provider.planned(today) for provider in self.providers.values()]
        return or_(false(), *conditions)
