"""Outbox queries: plan rows once, claim due ones safely, and record how each send ended."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.store.inserts import insert_skipping_duplicates
from coachbot.store.models import Group, Learner, OutboxKind, OutboxMessage, OutboxStatus

DAILY = "daily"
Row = OutboxMessage


@dataclass(frozen=True)
class Scope:
    """Which recipients one scheduler serves: its platforms, and optionally only some chats."""

    platforms: frozenset[str]
    chats: frozenset[str] | None = None

    def rows(self) -> ColumnElement[bool]:
        return _within(Row.platform, Row.chat_id, self)

    def learners(self) -> ColumnElement[bool]:
        return _within(Learner.platform, Learner.chat_id, self)


def _within(platform: Any, chat_id: Any, scope: Scope) -> ColumnElement[bool]:
    condition = platform.in_(sorted(scope.platforms))
    if scope.chats is not None:
        condition = and_(condition, chat_id.in_(sorted(scope.chats)))
    return condition  # type: ignore[no-any-return]


def insert_once(session: AsyncSession) -> Any:
    """An INSERT into the outbox that quietly skips rows the unique constraint already holds."""
    return insert_skipping_duplicates(session, Row)


async def enqueue(session: AsyncSession, *, kind: OutboxKind, recipient: str, slot: str,
                  platform: str, chat_id: str, local_date: date, due_at: datetime,
                  expires_at: datetime, now: datetime, learner_id: int | None = None,
                  group_key: str | None = None, lesson_id: str | None = None,
                  body: str | None = None) -> bool:
    """Plan one message; False when the same (recipient, kind, slot, day) is already planned."""
    values = dict(kind=kind, recipient=recipient, slot=slot, platform=platform, chat_id=chat_id,
                  learner_id=learner_id, group_key=group_key, lesson_id=lesson_id, body=body,
                  local_date=local_date, due_at=due_at, expires_at=expires_at,
                  status=OutboxStatus.PENDING, attempts=0, next_attempt_at=due_at, created_at=now)
    result = await session.execute(insert_once(session).values(**values))
    return bool(getattr(result, "rowcount", 0))


def _due(now: datetime, scope: Scope | None, limit: int) -> Select[int]:
    query = (select(Row.id)
             .where(Row.status == OutboxStatus.PENDING, Row.next_attempt_at <= now,
                    Row.expires_at > now, scope.rows() if scope else true())
             .order_by(Row.next_attempt_at, Row.id)
             .limit(limit))
    return query


async def claim(session: AsyncSession, now: datetime, scope: Scope | None, limit: int, worker: str,
                lease_until: datetime) -> list[Row]:
    """Mark up to `limit` of the earliest due rows "claimed" by `worker` and return them.

    Claimed is not yet sending: nothing has left, and nothing about the recipient changed, so
    a claim that is never sent (the worker stopped or died) simply goes back to pending.
    On PostgreSQL the rows are picked and locked with FOR UPDATE SKIP LOCKED, so several workers
    never take the same one. The pick is its own statement: inside `UPDATE ... WHERE id IN
    (SELECT ... LIMIT n SKIP LOCKED)` PostgreSQL may run the subquery again and claim more than
    n. SQLite has one writer at a time; the status check in the UPDATE is all it needs.
    """
    picked = list(await session.scalars(_due(now, scope, limit).with_for_update(skip_locked=True)))
    if not picked:
        return []
    update_rows = (update(Row)
                   .where(Row.id.in_(picked), Row.status == OutboxStatus.PENDING)
                   .values(status=OutboxStatus.CLAIMED, claimed_by=worker, lease_until=lease_until)
                   .returning(Row)
                   .execution_options(synchronize_session=False))
    claimed = list((await session.scalars(update_rows)).all())
    return sorted(claimed, key=lambda row: (row.next_attempt_at, row.id))


async def mark_sending(session: AsyncSession, row_ids: Sequence[int], worker: str, now: datetime,
                       lease_until: datetime) -> list[Row]:
    """These rows' requests are about to leave: "sending", one more attempt each.

    Rows whose claim this worker lost (another worker recovered it) are left out.
    """
    result = await session.scalars(
        update(Row)
        .where(Row.id.in_(list(row_ids)), Row.status == OutboxStatus.CLAIMED, Row.claimed_by == worker)
        .values(status=OutboxStatus.SENDING, attempts=Row.attempts + 1, claimed_at=now,
                lease_until=lease_until)
        .returning(Row)
        .execution_options(synchronize_session=False))
    return sorted(result.all(), key=lambda row: row.id)


async def release(session: AsyncSession, worker: str, keep: Sequence[int] = ()) -> int:
    """This worker's claims that never went out go back to pending."""
    condition = [Row.status == OutboxStatus.CLAIMED, Row.claimed_by == worker]
    if keep:
        condition.append(Row.id.not_in(list(keep)))
    result = await session.execute(
        update(Row).where(*condition)
        .values(status=OutboxStatus.PENDING, claimed_by=None, lease_until=None)
        .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0))


async def renew(session: AsyncSession, worker: str, lease_until: datetime) -> None:
    """This worker is alive: extend the lease of everything it holds."""
    await session.execute(
        update(Row)
        .where(Row.status.in_([OutboxStatus.CLAIMED, OutboxStatus.SENDING]), Row.claimed_by == worker)
        .values(lease_until=lease_until)
        .execution_options(synchronize_session=False))


async def held(session: AsyncSession, worker: str) -> list[Row]:
    """The rows this worker holds "sending"."""
    rows = await session.scalars(
        select(Row).where(Row.status == OutboxStatus.SENDING, Row.claimed_by == worker))
    return list(rows.all())


async def expire(session: AsyncSession, now: datetime, scope: Scope | None) -> int:
    """Skip pending rows whose send window has passed: a missed day is never sent late."""
    result = await session.execute(
        update(Row)
        .where(Row.status == OutboxStatus.PENDING, Row.expires_at <= now,
               scope.rows() if scope else true())
        .values(status=OutboxStatus.SKIPPED,
                last_error="its send window passed (quiet hours or the end of that day)")
        .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0))


INTERRUPTED = "interrupted while sending: it may have arrived, so it is not sent again"


async def recover(session: AsyncSession, now: datetime | None, scope: Scope | None) -> int:
    """Rows of a worker that died: claims go back to pending, sends become "uncertain".

    With `now`, only rows whose lease ran out by then (their worker stopped renewing it);
    without it, every held row (at the start of the only process there can be, on SQLite).
    Returns how many became uncertain.
    """
    condition = [scope.rows() if scope else true()]
    if now is not None:
        condition.append(Row.lease_until < now)
    await session.execute(
        update(Row).where(Row.status == OutboxStatus.CLAIMED, *condition)
        .values(status=OutboxStatus.PENDING, claimed_by=None, lease_until=None)
        .execution_options(synchronize_session=False))
    result = await session.execute(
        update(Row).where(Row.status == OutboxStatus.SENDING, *condition)
        .values(status=OutboxStatus.UNCERTAIN, last_error=INTERRUPTED)
        .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0))


async def pause_chat(session: AsyncSession, platform: str, chat_id: str, until: datetime) -> None:
    """Hold back every pending row for one chat until `until` (after a rate-limit answer)."""
    await session.execute(
        update(Row)
        .where(Row.platform == platform, Row.chat_id == chat_id,
               Row.status == OutboxStatus.PENDING, Row.next_attempt_at < until)
        .values(next_attempt_at=until)
        .execution_options(synchronize_session=False))


async def move_chat(session: AsyncSession, platform: str, old: str, new: str) -> None:
    """A chat got a new id: point learners, the group and unsent rows at it."""
    clash = await session.scalar(select(Group.id).where(Group.platform == platform, Group.chat_id == new))
    if clash is None:
        await session.execute(update(Group).where(Group.platform == platform, Group.chat_id == old)
                              .values(chat_id=new).execution_options(synchronize_session=False))
    await session.execute(
        update(Learner).where(Learner.platform == platform, Learner.chat_id == old)
        .values(chat_id=new).execution_options(synchronize_session=False))
    await session.execute(
        update(Row).where(Row.platform == platform, Row.chat_id == old,
                          Row.status.in_([OutboxStatus.PENDING, OutboxStatus.CLAIMED,
                                          OutboxStatus.SENDING]))
        .values(chat_id=new).execution_options(synchronize_session=False))


async def earliest_pending(session: AsyncSession, scope: Scope | None) -> datetime | None:
    found: datetime | None = await session.scalar(
        select(func.min(Row.next_attempt_at))
        .where(Row.status == OutboxStatus.PENDING, scope.rows() if scope else true()))
    return found


async def counts(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(Row.status, func.count()).group_by(Row.status))
    found = {status: count for status, count in rows}
    return {status.value: found.get(status.value, 0) for status in OutboxStatus}


async def problems(session: AsyncSession, limit: int) -> Sequence[Row]:
    """The latest rows that failed or may not have arrived, newest first."""
    rows = await session.scalars(
        select(Row).where(Row.status.in_([OutboxStatus.FAILED, OutboxStatus.UNCERTAIN]))
        .order_by(func.coalesce(Row.claimed_at, Row.due_at).desc(), Row.id.desc()).limit(limit))
    return rows.all()
