"""How each send ended, recorded: the row's new status, and undoing a delivery that surely did
not arrive (the learner's or the group's lesson is withdrawn, so none is skipped over).

The dispatcher claims and sends; what it learns from each send is written here, in the
transaction that also marks its next row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from coachbot import metrics
from coachbot.clock import Clock
from coachbot.delivery.recording import EXTRA_AFTER, Job
from coachbot.learning.group_progression import give_back_group_lesson
from coachbot.learning.progression import Progression
from coachbot.messages import Outgoing, Reply
from coachbot.store import outbox
from coachbot.store.models import Group, Learner, OutboxKind, OutboxMessage, OutboxStatus
from coachbot.store.outbox import DAILY
from coachbot.store.repository import Repository

ERROR_LIMIT = 480
COUNTED_AS = {OutboxStatus.SENT: "sent", OutboxStatus.PENDING: "retried",
              OutboxStatus.FAILED: "failed", OutboxStatus.UNCERTAIN: "uncertain"}
GROUP_KINDS = (OutboxKind.GROUP_LESSON, OutboxKind.DIGEST)


@dataclass
class PassReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    uncertain: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """How one send ended, and what that means for the row and the learner."""

    job: Job
    status: OutboxStatus
    error: str | None = None
    message_id: str | None = None
    retry_at: datetime | None = None
    refund: bool = False  # waiting out a rate limit is not a failed attempt
    withdraw: bool = False  # the lesson surely did not arrive: undo its delivery
    unreachable: bool = False
    pause_until: datetime | None = None


def is_group_row(row: OutboxMessage) -> bool:
    return row.kind in GROUP_KINDS or (row.kind == OutboxKind.TEXT and row.group_key is not None)


def held_job(row: OutboxMessage) -> Job:
    """A row found "sending" that this worker never sent, as a job that can be withdrawn."""
    chosen = row.kind == OutboxKind.LESSON or (row.kind == OutboxKind.GROUP_LESSON and row.slot == DAILY)
    out = Outgoing(platform=row.platform, chat_id=row.chat_id, reply=Reply(""), is_group=is_group_row(row))
    return Job(row.id, row.kind, row.attempts, row.learner_id, row.lesson_id, out, row.expires_at,
               row.group_key, chosen)


def count_outcomes(outcomes: list[Outcome], report: PassReport) -> None:
    for outcome in outcomes:
        name = COUNTED_AS[outcome.status]
        setattr(report, name, getattr(report, name) + 1)
        metrics.MESSAGES.labels(outcome.job.out.platform, outcome.job.kind, name).inc()


class OutcomeRecorder:
    """Writes one send's outcome for the worker holding its row."""

    def __init__(self, progression: Progression, clock: Clock, worker: str) -> None:
        self.progression = progression
        self.clock = clock
        self.worker = worker

    async def apply(self, session: AsyncSession, outcome: Outcome) -> None:
        job, now = outcome.job, self.clock.now()
        values: dict[str, object] = {
            "status": outcome.status, "chat_id": job.out.chat_id, "claimed_by": None, "lease_until": None,
            "last_error": outcome.error[:ERROR_LIMIT] if outcome.error else None}
        if outcome.status == OutboxStatus.SENT:
            values.update(sent_at=now, message_id=outcome.message_id)
        if outcome.retry_at is not None:
            values["next_attempt_at"] = outcome.retry_at
            if job.chosen:  # picked again when it goes out (withdrawn below)
                values["lesson_id"] = None
        if outcome.refund:
            values["attempts"] = OutboxMessage.attempts - 1
        # Only while this worker holds it (another may have recorded it as uncertain meanwhile).
        await session.execute(update(OutboxMessage)
                              .where(OutboxMessage.id == job.row_id, OutboxMessage.claimed_by == self.worker)
                              .values(**values).execution_options(synchronize_session=False))
        if outcome.pause_until is not None:
            await outbox.pause_chat(session, job.out.platform, job.out.chat_id, outcome.pause_until)
        if job.learner_id is not None and (outcome.withdraw or outcome.unreachable):
            await self._undo(session, outcome)
        elif job.out.is_group:
            await self._undo_group(session, outcome)

    async def _undo(self, session: AsyncSession, outcome: Outcome) -> None:
        job = outcome.job
        learner = await session.get(Learner, job.learner_id)
        if learner is None:
            return
        if outcome.unreachable:
            learner.unreachable = True
        if outcome.withdraw and job.kind == OutboxKind.LESSON and job.lesson_id:
            await self.progression.withdraw(Repository(session), learner, job.lesson_id)
        if outcome.retry_at is not None and job.kind == OutboxKind.LESSON:
            # The day's extra planned with this message waits for it, so it still comes second.
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.recipient == f"learner:{learner.id}",
                       OutboxMessage.kind == OutboxKind.COACH,
                       OutboxMessage.status == OutboxStatus.PENDING,
                       OutboxMessage.next_attempt_at < outcome.retry_at + EXTRA_AFTER)
                .values(next_attempt_at=outcome.retry_at + EXTRA_AFTER)
                .execution_options(synchronize_session=False))

    async def _undo_group(self, session: AsyncSession, outcome: Outcome) -> None:
        job = outcome.job
        if outcome.withdraw and job.chosen and job.lesson_id:
            await give_back_group_lesson(session, self.progression.content, job.group_key,
                                         job.lesson_id)
        if outcome.unreachable:  # removed from the group: stop its schedule
            await session.execute(update(Group).where(Group.platform == job.out.platform,
                                                      Group.chat_id == job.out.chat_id)
                                  .values(active=False).execution_options(synchronize_session=False))
