"""Planner and dispatcher with a large outbox history against an empty one.

For each history size (default 0 and 1,000,000 old rows) a database is seeded with 10,000
learners due at 09:00 UTC and `history` finished outbox rows (one per learner per earlier day,
mostly sent, some skipped and failed). Then it times planning the day (one row per learner),
one dispatch pass sending all of them through a messenger that answers at once (so the
database is what is measured), `coachbot deliveries`' counts, and retention pruning what is
older than 90 days, in batches of 1,000.

    python benchmarks/history.py --database-url postgresql+asyncpg://postgres@127.0.0.1/bench
    python benchmarks/history.py               # a temporary SQLite file
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from seeding import seed_due_learners
from sqlalchemy import text

from coachbot.clock import SimulatedClock
from coachbot.content import load_content
from coachbot.delivery.limits import Throttles
from coachbot.delivery.policy import DeliveryPolicy
from coachbot.delivery.retention import prune
from coachbot.delivery.service import DeliveryService
from coachbot.learning.progression import Progression
from coachbot.settings import sqlite_url
from coachbot.store import outbox
from coachbot.store.database import make_engine, make_sessionmaker, upgrade

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout: tests/ holds the fakes
from tests.fakes import RecordingMessenger

CONTENT = Path(__file__).resolve().parent.parent / "content"
PLATFORM = "bench"
DUE = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
DAYS = {"postgresql": "generate_series(1, :days) AS d(n)",
        "sqlite": "(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < :days) "
                  "SELECT n FROM s) AS d"}
HISTORY = """
INSERT INTO outbox (kind, recipient, slot, platform, chat_id, learner_id, lesson_id, local_date,
    due_at, expires_at, status, attempts, next_attempt_at, sent_at, created_at)
SELECT 'lesson', 'learner:' || l.id, 'daily', l.platform, l.chat_id, l.id, 'first-week-1',
    {date}, {due}, {due}, CASE WHEN (l.id + d.n) % 50 = 0 THEN 'skipped'
                                WHEN (l.id + d.n) % 97 = 0 THEN 'failed' ELSE 'sent' END,
    1, {due}, {due}, {due}
FROM learners l CROSS JOIN {days}
"""
EXPRESSIONS = {
    "postgresql": {"date": "(DATE :day - d.n)", "due": "(TIMESTAMPTZ :due - d.n * INTERVAL '1 day')"},
    "sqlite": {"date": "date(:day, '-' || d.n || ' days')",
               "due": "strftime('%Y-%m-%d %H:%M:%S.000000', :due, '-' || d.n || ' days')"},
}


async def seed_history(url: str, learners: int, history: int) -> float:
    engine = make_engine(url)
    track = load_content(CONTENT).default_track.id
    started = time.perf_counter()
    await seed_due_learners(engine, learners, PLATFORM, DUE, track)
    if history:
        async with engine.begin() as conn:
            dialect = conn.dialect.name
            sql = HISTORY.format(days=DAYS[dialect], **EXPRESSIONS[dialect])
            due = DUE.strftime("%Y-%m-%d %H:%M:%S") if dialect == "sqlite" else DUE
            await conn.execute(text(sql), {"days": history // learners, "day": DUE.date() if dialect
                                           != "sqlite" else DUE.date().isoformat(), "due": due})
            if dialect == "postgresql":
                await conn.execute(text("ANALYZE"))
    await engine.dispose()
    return time.perf_counter() - started


async def measure(url: str, plan_only: bool = False) -> dict[str, float]:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    content = load_content(CONTENT)
    clock = SimulatedClock(DUE)
    service = DeliveryService(Progression(content), sessions, clock,
                              {PLATFORM: RecordingMessenger(PLATFORM)}, Throttles({}),
                              DeliveryPolicy(concurrency=8))
    figures: dict[str, float] = {}
    started = time.perf_counter()
    figures["planned"] = await service.plan()
    figures["plan_s"] = time.perf_counter() - started
    if plan_only:
        await engine.dispose()
        return figures
    started = time.perf_counter()
    figures["sent"] = (await service.dispatch()).sent
    figures["dispatch_s"] = time.perf_counter() - started
    started = time.perf_counter()
    async with sessions() as session:
        figures["rows"] = sum((await outbox.counts(session)).values())
    figures["counts_s"] = time.perf_counter() - started
    started = time.perf_counter()
    figures["pruned"] = (await prune(sessions, DUE, timedelta(days=90)))["outbox"]
    figures["prune_s"] = time.perf_counter() - started
    await engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL (emptied first); default a temporary SQLite file")
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--history", type=int, nargs="+", default=[0, 1_000_000])
    parser.add_argument("--plan-only", action="store_true", help="time planning only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or sqlite_url(Path(folder) / "history.db")
        upgrade(url)
        kind = "PostgreSQL" if "postgresql" in url else "SQLite"
        print(f"{kind}, {args.learners:,} learners due at once:", flush=True)
        for history in args.history:
            seeded = asyncio.run(seed_history(url, args.learners, history))
            r = asyncio.run(measure(url, args.plan_only))
            if args.plan_only:
                print(f"  {history:>9,} old rows: planned {r['planned']:,.0f} in {r['plan_s']:.2f} s",
                      flush=True)
                continue
            print(f"  {history:>9,} old rows (seeded in {seeded:.0f} s): planned {r['planned']:,.0f} in "
                  f"{r['plan_s']:.2f} s; dispatched {r['sent']:,.0f} in {r['dispatch_s']:.1f} s "
                  f"({r['dispatch_s'] / max(r['sent'], 1) * 1000:.2f} ms each); counted {r['rows']:,.0f} "
                  f"rows in {r['counts_s']:.2f} s; pruned {r['pruned']:,.0f} past 90 days in "
                  f"{r['prune_s']:.1f} s", flush=True)


if __name__ == "__main__":
    main()
