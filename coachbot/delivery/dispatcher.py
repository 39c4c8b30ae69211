"""The dispatcher: claims due outbox rows in small batches and sends them through each
platform's messenger, recording every outcome.

A row goes pending -> claimed -> sending -> an outcome. Claimed rows wait for a sender;
nothing has left and nothing about the recipient changed, so a claim that is never sent goes
back to pending. A sender marks its row "sending" and writes the lesson's delivery (its
LessonRecord, the track position, the open check-in; a group's position), then takes the
row's rate-limit slot and sends; the transaction that records the outcome also marks its
next row. So each sender holds at most one row "sending", and a crash leaves no more than
`concurrency` rows uncertain. Senders share these transactions (group commit). Outcomes
are written, and deliveries undone, by `outcomes.py`.

Sent, or possibly sent (a crash, an unknown error), a delivery stays: the learner has it, or
sees it with `today`, and it is never sent twice. When the platform surely did not take it
(recipient gone, rate limited, a transient error) the delivery is withdrawn, so no lesson is
skipped over and a retry sends the same one. An outcome that cannot be recorded (the
database went away) is kept in memory and recorded as soon as the database is back.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot import metrics
from coachbot.clock import Clock
from coachbot.delivery.batching import Batcher
from coachbot.delivery.limits import Throttles, Ticket
from coachbot.delivery.outcomes import (
    ERROR_LIMIT,
    Outcome,
    OutcomeRecorder,
    PassReport,
    count_outcomes,
    held_job,
)
from coachbot.delivery.policy import DeliveryPolicy
from coachbot.delivery.ports import ChatMoved, Messenger, RateLimited, RecipientGone, TransientError
from coachbot.delivery.recording import Job, Preparer, Skip
from coachbot.learning import coaching
from coachbot.learning.daily import Composer
from coachbot.learning.progression import Progression
from coachbot.store import outbox
from coachbot.store.models import OutboxMessage, OutboxStatus
from coachbot.store.outbox import Scope
from coachbot.store.repository import Repository

log = logging.getLogger(__name__)
MAX_MOVES = 2
# A database that is down answers with these (or with a DBAPIError around them).
DATABASE_DOWN: tuple[type[BaseException], ...] = (DBAPIError, OSError, asyncio.TimeoutError)


def worker_name() -> str:
    """This process's name on the rows it holds: unique, and readable in `coachbot deliveries`."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


class Dispatcher:
    def __init__(self, progression: Progression, sessions: async_sessionmaker[AsyncSession],
                 clock: Clock, messengers: Mapping[str, Messenger], throttles: Throttles,
                 policy: DeliveryPolicy, scope: Scope | None = None,
                 composer: Composer | None = None) -> None:
        self.progression = progression
        self.sessions = sessions
        self.clock = clock
        self.messengers = dict(messengers)
        self.throttles = throttles
        self.policy = policy
        self.scope = scope or Scope(frozenset(self.messengers))
        self.preparer = Preparer(composer or coaching.composer(progression), policy)
        self.worker = worker_name()
        self.outcomes = OutcomeRecorder(progression, clock, self.worker)
        self.stopping = False
        self._writing = asyncio.Lock()  # one writer per process: SQLite would sleep on contention
        self._unrecorded: list[Outcome] = []
        self._trouble = False  # the database failed during this pass: claim and mark no more
        self._steps: Batcher[tuple[Outcome | None, OutboxMessage | None], Job | Skip | None] = (
            Batcher(self._step_batch))

    async def recover(self) -> int:
        """At start: what a process that died left behind (see `outbox.recover`).

        SQLite has one process, so everything held is left over; on PostgreSQL other workers
        may be running, so only rows whose lease has run out.
        """
        async with self._writing, self.sessions() as session, session.begin():
            single = session.get_bind().dialect.name == "sqlite"
            return await outbox.recover(session, None if single else self.clock.now(), self.scope)

    async def run(self) -> PassReport:
        """Send everything that is due now; returns when nothing due is left."""
        report = PassReport()
        started = time.perf_counter()
        await self._settle(report)
        self._trouble = False
        rows: asyncio.Queue[OutboxMessage | None] = asyncio.Queue(maxsize=self.policy.concurrency)
        try:
            # A task group, so that cancelling the pass (the process stopping) cancels every part.
            async with asyncio.TaskGroup() as group:
                senders = [group.create_task(self._sender(rows, report))
                           for _ in range(self.policy.concurrency)]
                lease = group.create_task(self._keep_leases())
                await self._claimer(rows, report)
                for _ in senders:
                    await rows.put(None)
                await asyncio.gather(*senders)
                lease.cancel()
        finally:
            await self._release_unsent()
        metrics.DISPATCH.observe(time.perf_counter() - started)
        return report

    # -- before a pass -------------------------------------------------------------------

    async def _settle(self, report: PassReport) -> None:
        """Record what could not be recorded before, give back unsent claims, tidy up."""
        async with self._writing, self.sessions() as session, session.begin():
            now = self.clock.now()
            for outcome in self._unrecorded:
                await self.outcomes.apply(session, outcome)
            # Still "sending" here and never sent: marking it looked like it failed.
            for row in await outbox.held(session, self.worker):
                await self.outcomes.apply(session, Outcome(held_job(row), OutboxStatus.PENDING, withdraw=True,
                                                   retry_at=now, refund=True,
                                                   error="not sent: the database failed as it was marked"))
            await outbox.release(session, self.worker)
            report.uncertain += await outbox.recover(session, now, self.scope)
            report.skipped += await outbox.expire(session, now, self.scope)
        if self._unrecorded:
            log.info("recorded %d delivery outcome(s) kept while the database was away",
                     len(self._unrecorded))
            count_outcomes(self._unrecorded, report)
            self._unrecorded = []

    async def _release_unsent(self) -> None:
        try:
            async with self._writing, self.sessions() as session, session.begin():
                await outbox.release(session, self.worker)
        except DATABASE_DOWN:  # given back at the start of the next pass, or when the lease ends
            log.warning("could not give back unsent claims now; they go back on the next pass")

    async def _keep_leases(self) -> None:
        """While the pass runs, tell other workers this one is alive."""
        every = self.policy.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            try:
                async with self._writing, self.sessions() as session, session.begin():
                    await outbox.renew(session, self.worker, self.clock.now() + self.policy.lease)
            except DATABASE_DOWN as error:
                log.warning("could not renew this worker's leases: %s", type(error).__name__)

    # -- claim -------------------------------------------------------------------------------

    async def _claimer(self, rows: asyncio.Queue[OutboxMessage | None], report: PassReport) -> None:
        while not (self.stopping or self._trouble):
            try:
                batch = await self._claim(self.policy.concurrency)
            except DATABASE_DOWN as exc:  # a clash with a chat turn, or the database went away
                log.warning("claiming deliveries failed; trying again on the next pass: %s", exc)
                report.errors.append(str(exc)[:ERROR_LIMIT])
                return
            if not batch:
                return
            for row in batch:
                await rows.put(row)

    async def _claim(self, limit: int) -> list[OutboxMessage]:
        now = self.clock.now()
        async with self._writing, self.sessions() as session, session.begin():
            return await outbox.claim(session, now, self.scope, limit, self.worker, now + self.policy.lease)

    # -- send ----------------------------------------------------------------------------------

    async def _sender(self, rows: asyncio.Queue[OutboxMessage | None], report: PassReport) -> None:
        """Send row after row; each step records the last outcome and marks the next row at once."""
        done: Outcome | None = None
        while True:
            if done is not None and rows.empty():  # nothing to swap it with right now
                await self._step(done, None, report)
                done = None
            row = await rows.get()
            if row is None:
                break
            if self.stopping or self._trouble:
                continue  # left claimed: given back when the pass ends
            job = await self._step(done, row, report)
            done = await self._send(job, None) if job is not None else None
        if done is not None:
            await self._step(done, None, report)

    async def _step(self, done: Outcome | None, row: OutboxMessage | None, report: PassReport
                    ) -> Job | None:
        """Record `done` and mark `row` "sending" in one transaction (shared with other senders)."""
        try:
            prepared = await self._steps.submit((done, row))
        except DATABASE_DOWN as exc:  # the outcome is kept, the row stays claimed
            self._trouble = True
            if done is not None:
                self._unrecorded.append(done)
            log.warning("writing to the database failed; the outcome is kept and the rest waits "
                        "for the next pass: %s", exc)
            report.errors.append(str(exc)[:ERROR_LIMIT])
            return None
        if done is not None:
            count_outcomes([done], report)
        if isinstance(prepared, Skip):
            assert row is not None
            report.skipped += 1
            metrics.MESSAGES.labels(row.platform, row.kind, "skipped").inc()
            return None
        return prepared

    async def _step_batch(self, steps: list[tuple[Outcome | None, OutboxMessage | None]]
                          ) -> list[Job | Skip | None]:
        rows = [row for _, row in steps if row is not None]
        async with self._writing, self.sessions() as session, session.begin():
            now = self.clock.now()
            for done, _ in steps:
                if done is not None:
                    await self.outcomes.apply(session, done)
            held = await outbox.mark_sending(session, [row.id for row in rows], self.worker, now,
                                             now + self.policy.lease) if rows else []
            prepared = await self.preparer.prepare(Repository(session), held, now)
            for row, ready in zip(held, prepared, strict=True):
                if isinstance(ready, Skip):
                    row.status, row.last_error = OutboxStatus.SKIPPED, str(ready)
                    row.claimed_by = row.lease_until = None
        found = {row.id: ready for row, ready in zip(held, prepared, strict=True)}
        return [found.get(row.id) if row is not None else None for _, row in steps]

    async def _send(self, job: Job, ticket: Ticket | None) -> Outcome:
        messenger = self.messengers[job.out.platform]
        for _ in range(MAX_MOVES + 1):
            if ticket is None or ticket.chat_id != job.out.chat_id:
                ticket = await self.throttles.reserve(job.out.platform, job.out.chat_id, job.out.is_group)
            try:
                async with ticket:
                    message_id = await messenger.send(job.out)
            except ChatMoved as moved:
                if not await self._move(job, moved.new_chat_id):
                    return self._transient(job, TransientError(f"chat moved; {moved}"))
                job.out = replace(job.out, chat_id=moved.new_chat_id)
                continue
            except RateLimited as limited:
                until = self.clock.now() + timedelta(seconds=limited.retry_after)
                return Outcome(job, OutboxStatus.PENDING, f"rate limited: {limited}", retry_at=until,
                               refund=True, withdraw=True,
                               pause_until=None if ticket.platform_wide else until)
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
        """Try again later, for as long as the message may still go out today; then say why not."""
        limit = self.policy.max_attempts
        if limit is not None and job.attempts >= limit:
            return Outcome(job, OutboxStatus.FAILED, f"gave up after {job.attempts} attempts: {error}",
                           withdraw=True)
        retry_at = self.clock.now() + self.policy.backoff(job.attempts)
        if retry_at >= job.expires_at:
            return Outcome(job, OutboxStatus.FAILED, f"still failing when its send window closed "
                           f"(quiet hours or the end of the day), after {job.attempts} attempt(s): "
                           f"{error}", withdraw=True)
        return Outcome(job, OutboxStatus.PENDING, f"attempt {job.attempts} failed, trying again "
                       f"at {retry_at:%H:%M:%S} UTC: {error}", retry_at=retry_at, withdraw=True)

    async def _move(self, job: Job, new_chat_id: str) -> bool:
        try:
            async with self._writing, self.sessions() as session, session.begin():
                await outbox.move_chat(session, job.out.platform, job.out.chat_id, new_chat_id)
        except DATABASE_DOWN as exc:
            log.warning("could not store a chat's new id: %s", exc)
            return False
        return True
