"""The dispatcher: claims due outbox rows in small batches and sends them through each
platform's messenger, recording every outcome.

A lesson's delivery (its LessonRecord, the track position, the open check-in) is written in
the transaction that marks the row "sending", before anything leaves. Sent, or possibly sent
(a crash, an unknown error), it stays: the learner has it, or sees it with `today`, and it is
never sent twice. When the platform surely did not take it (recipient gone, rate limited, a
transient error) the delivery is withdrawn again, so no lesson is skipped over.

One task claims, `concurrency` tasks send, one task records; claims and records each take a
single short transaction per batch.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.conversation import Coach
from coachbot.delivery import outbox
from coachbot.delivery.limits import Throttles
from coachbot.delivery.outbox import Scope
from coachbot.delivery.policy import Policy
from coachbot.delivery.ports import ChatMoved, Messenger, RateLimited, RecipientGone, TransientError
from coachbot.delivery.preparing import Job, Preparer, Skip
from coachbot.store.models import Group, Learner, OutboxKind, OutboxMessage, OutboxStatus
from coachbot.store.repository import Repository

log = logging.getLogger(__name__)
MAX_MOVES = 2
ERROR_LIMIT = 480
COUNTED_AS = {OutboxStatus.SENT: "sent", OutboxStatus.PENDING: "retried",
              OutboxStatus.FAILED: "failed", OutboxStatus.UNCERTAIN: "uncertain"}


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


class Dispatcher:
    def __init__(self, coach: Coach, messengers: Mapping[str, Messenger], throttles: Throttles,
                 policy: Policy, scope: Scope | None = None) -> None:
        self.coach = coach
        self.sessions = coach.sessions
        self.clock = coach.clock
        self.messengers = dict(messengers)
        self.throttles = throttles
        self.policy = policy
        self.scope = scope or Scope(frozenset(self.messengers))
        self.preparer = Preparer(coach, policy)
        self.stopping = False
        self._writing = asyncio.Lock()  # one writer per process: SQLite would sleep on contention

    async def recover(self) -> int:
        """At start: whatever an earlier process left "sending" is recorded as uncertain."""
        async with self._writing, self.sessions() as session, session.begin():
            return await outbox.recover(session, None, self.scope)

    async def run(self) -> PassReport:
        """Send everything that is due now; returns when nothing due is left."""
        report = PassReport()
        async with self._writing, self.sessions() as session, session.begin():
            now = self.clock.now()
            report.uncertain += await outbox.recover(session, now - self.policy.lease, self.scope)
            report.skipped += await outbox.expire(session, now, self.scope)
        jobs: asyncio.Queue[Job | None] = asyncio.Queue(maxsize=self.policy.concurrency)
        done: asyncio.Queue[Outcome | None] = asyncio.Queue()
        # A task group, so that cancelling the pass (the process stopping) cancels every part.
        async with asyncio.TaskGroup() as group:
            senders = [group.create_task(self._sender(jobs, done)) for _ in range(self.policy.concurrency)]
            recorder = group.create_task(self._recorder(done, report))
            await self._claimer(jobs, report)
            for _ in senders:
                await jobs.put(None)
            await asyncio.gather(*senders)
            await done.put(None)
            await recorder
        return report

    # -- claim -------------------------------------------------------------------------------

    async def _claimer(self, jobs: asyncio.Queue[Job | None], report: PassReport) -> None:
        while not self.stopping:
            try:
                batch = await self._claim(self.policy.concurrency, report)
            except DBAPIError as exc:  # a clash with a chat turn: the rows wait for the next pass
                log.warning("claiming deliveries failed; trying again on the next pass: %s", exc)
                report.errors.append(str(exc)[:ERROR_LIMIT])
                return
            if batch is None:
                return
            for job in batch:
                await jobs.put(job)

    async def _claim(self, limit: int, report: PassReport) -> list[Job] | None:
        now = self.clock.now()
        async with self._writing, self.sessions() as session, session.begin():
            rows = await outbox.claim(session, now, self.scope, limit)
            if not rows:
                return None
            prepared = await self.preparer.prepare(Repository(session), rows, now)
            for row, outcome in zip(rows, prepared, strict=True):
                if isinstance(outcome, Skip):
                    row.status, row.last_error = OutboxStatus.SKIPPED, str(outcome)
                    report.skipped += 1
        return [job for job in prepared if isinstance(job, Job)]

    # -- send ----------------------------------------------------------------------------------

    async def _sender(self, jobs: asyncio.Queue[Job | None], done: asyncio.Queue[Outcome | None]) -> None:
        while (job := await jobs.get()) is not None:
            await done.put(await self._send(job))

    async def _send(self, job: Job) -> Outcome:
        messenger = self.messengers[job.out.platform]
        for _ in range(MAX_MOVES + 1):
            try:
                async with self.throttles.slot(job.out.platform, job.out.chat_id, job.out.is_group):
                    message_id = await messenger.send(job.out)
            except ChatMoved as moved:
                await self._move(job, moved.new_chat_id)
                job.out = replace(job.out, chat_id=moved.new_chat_id)
                continue
            except RateLimited as limited:
                until = self.clock.now() + timedelta(seconds=limited.retry_after)
                return Outcome(job, OutboxStatus.PENDING, f"rate limited: {limited}", retry_at=until,
                               refund=True, withdraw=True, pause_until=until)
            except RecipientGone as gone:
                return Outcome(job, OutboxStatus.FAILED, f"recipient gone: {gone}", withdraw=True,
                               unreachable=True)
            except TransientError as error:
                return self._transient(job, error)
            except Exception as error:  # the request may have reached the platform: never resend
                log.exception("delivery %s ended in an unknown state", job.row_id)
                return Outcome(job, OutboxStatus.UNCERTAIN, f"{type(error).__name__}: {error}")
            return Outcome(job, OutboxStatus.SENT, message_id=message_id)
        return Outcome(job, OutboxStatus.FAILED, "the chat kept moving to new ids", withdraw=True)

    def _transient(self, job: Job, error: TransientError) -> Outcome:
        if job.attempts >= self.policy.max_attempts:
            return Outcome(job, OutboxStatus.FAILED, f"gave up after {job.attempts} attempts: {error}",
                           withdraw=True)
        retry_at = self.clock.now() + self.policy.backoff(job.attempts)
        return Outcome(job, OutboxStatus.PENDING, f"attempt {job.attempts} of "
                       f"{self.policy.max_attempts} failed: {error}", retry_at=retry_at, withdraw=True)

    async def _move(self, job: Job, new_chat_id: str) -> None:
        async with self._writing, self.sessions() as session, session.begin():
            await outbox.move_chat(session, job.out.platform, job.out.chat_id, new_chat_id)

    # -- record --------------------------------------------------------------------------------

    async def _recorder(self, done: asyncio.Queue[Outcome | None], report: PassReport) -> None:
        finished = False
        while not finished:
            batch = [await done.get()]
            while not done.empty():
                batch.append(done.get_nowait())
            finished = batch[-1] is None
            outcomes = [outcome for outcome in batch if outcome is not None]
            if outcomes:
                await self._record(outcomes, report)

    async def _record(self, outcomes: list[Outcome], report: PassReport) -> None:
        try:
            async with self._writing, self.sessions() as session, session.begin():
                for outcome in outcomes:
                    await self._apply(session, outcome)
        except DBAPIError as exc:  # left "sending": recorded as uncertain later, never resent
            log.exception("recording %d delivery outcome(s) failed", len(outcomes))
            report.errors.append(str(exc)[:ERROR_LIMIT])
            return
        for outcome in outcomes:
            name = COUNTED_AS[outcome.status]
            setattr(report, name, getattr(report, name) + 1)

    async def _apply(self, session: AsyncSession, outcome: Outcome) -> None:
        job, now = outcome.job, self.clock.now()
        values: dict[str, object] = {
            "status": outcome.status, "chat_id": job.out.chat_id,
            "last_error": outcome.error[:ERROR_LIMIT] if outcome.error else None}
        if outcome.status == OutboxStatus.SENT:
            values.update(sent_at=now, message_id=outcome.message_id)
        if outcome.retry_at is not None:
            values.update(next_attempt_at=outcome.retry_at, lesson_id=None)
        if outcome.refund:
            values["attempts"] = OutboxMessage.attempts - 1
        await session.execute(update(OutboxMessage).where(OutboxMessage.id == job.row_id)
                              .values(**values).execution_options(synchronize_session=False))
        if outcome.pause_until is not None:
            await outbox.pause_chat(session, job.out.platform, job.out.chat_id, outcome.pause_until)
        if job.learner_id is not None and (outcome.withdraw or outcome.unreachable):
            await self._undo(session, outcome)
        elif outcome.unreachable and job.out.is_group:  # removed from the group: stop its schedule
            await session.execute(update(Group).where(Group.platform == job.out.platform,
                                                      Group.chat_id == job.out.chat_id)
                                  .values(active=False).execution_options(synchronize_session=False))

    async def _undo(self, session: AsyncSession, outcome: Outcome) -> None:
        job = outcome.job
        learner = await session.get(Learner, job.learner_id)
        if learner is None:
            return
        if outcome.unreachable:
            learner.unreachable = True
        if outcome.withdraw and job.kind == OutboxKind.LESSON and job.lesson_id:
            await self.coach.withdraw(Repository(session), learner, job.lesson_id)
