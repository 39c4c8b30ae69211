"""Onboarded learners by the thousand, for the benchmarks.

The rows go through the ORM models' tables, so a column the migrations add or rename shows
up here as an error rather than as a seed that quietly no longer matches the schema; the
track comes from the content being measured.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import String, cast, create_engine, delete, insert, literal, select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.expression import case

from coachbot.store.models import Base, Confidence, Learner, TrackProgress

BENCH_ZONES = ("Pacific/Kiritimati", "Asia/Tokyo", "Asia/Kolkata", "Europe/Berlin", "Europe/London",
               "America/Sao_Paulo", "America/New_York", "America/Los_Angeles", "Pacific/Honolulu",
               "Etc/GMT+12")
JOINED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def seed_learners(path: Path, count: int, *, platform: str, track: str,
                  zones: Sequence[str] = BENCH_ZONES, times: Sequence[str] | None = None,
                  status: str = "active") -> None:
    """Add `count` onboarded learners on `track` to a migrated SQLite file, fast (SQL loops).

    Learner i is in zones[i % len(zones)] with delivery time times[(i // len(zones)) % len(times)];
    by default the times are every quarter hour from 07:00 to 20:45.
    """
    slots = list(times or [f"{h:02d}:{m:02d}" for h in range(7, 21) for m in (0, 15, 30, 45)])
    seq = select(literal(0).label("i")).cte("seq", recursive=True)
    seq = seq.union_all(select(seq.c.i + 1).where(seq.c.i < count - 1))
    name = literal("u") + cast(seq.c.i, String)
    people = select(
        literal(platform), name, name, literal(""),
        case(dict(enumerate(zones)), value=seq.c.i % len(zones)),
        case(dict(enumerate(slots)), value=(seq.c.i // len(zones)) % len(slots)),
        literal(track), literal(status), literal(True), literal(False),
        literal(JOINED, Learner.created_at.type), literal(JOINED, Learner.last_seen_at.type))
    columns = [Learner.platform, Learner.platform_user_id, Learner.chat_id, Learner.display_name,
               Learner.timezone, Learner.delivery_time, Learner.current_track, Learner.status,
               Learner.reminders, Learner.unreachable, Learner.created_at, Learner.last_seen_at]
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            conn.execute(insert(Learner).from_select(columns, people))
            conn.execute(insert(TrackProgress).from_select(
                [TrackProgress.learner_id, TrackProgress.track_id, TrackProgress.position],
                select(Learner.id, literal(track), literal(0)).where(Learner.platform == platform)))
    finally:
        engine.dispose()


async def empty_tables(engine: AsyncEngine) -> None:
    """Delete every row of a migrated database, so a run starts from nobody."""
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                await conn.execute(delete(table))


async def seed_due_learners(engine: AsyncEngine, count: int, platform: str, due: datetime,
                            track: str) -> None:
    """Empty every table, then add `count` active learners on `track` due at `due` (UTC)."""
    await empty_tables(engine)
    async with engine.begin() as conn:
        joined = due - timedelta(days=1)
        await conn.execute(insert(Learner), [
            dict(platform=platform, platform_user_id=f"u{i}", chat_id=f"u{i}", display_name="",
                 timezone="UTC", delivery_time=f"{due:%H:%M}", current_track=track,
                 status="active", reminders=True, unreachable=False, created_at=joined,
                 last_seen_at=joined)
            for i in range(count)])
        ids = (await conn.execute(select(Learner.id))).scalars().all()
        await conn.execute(insert(TrackProgress), [
            dict(learner_id=i, track_id=track, position=0) for i in ids])
        # As onboarding leaves them: the track's start confidence question asked and answered,
        # so the day's message is the lesson alone.
        await conn.execute(insert(Confidence), [
            dict(learner_id=i, track_id=track, moment="start", asked_at=joined, score=3,
                 answered_at=joined) for i in ids])
