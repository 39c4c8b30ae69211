"""Planning the day for many learners on SQLite: seconds per 100,000 learners and peak memory.

For each size (default 100,000 and 1,000,000) a SQLite file is seeded with learners spread over
ten zones from UTC-12 to UTC+14 and 56 delivery times (every quarter hour, 07:00 to 20:45).
A fresh process then runs the planner the way a running scheduler does: one tick every five
simulated minutes for 24 hours, so every learner's time comes once and one outbox row is
written for each. It prints the seconds spent planning, seconds per 100,000 learners, and the
process's peak memory (max RSS) before planning and at the end.

    python benchmarks/plan.py [--sizes 100000 1000000] [--tick-minutes 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from seeding import seed_learners
from sqlalchemy import func, select, text

from coachbot.content import load_content
from coachbot.delivery.planner import Planner
from coachbot.delivery.policy import DeliveryPolicy
from coachbot.settings import Settings, sqlite_url
from coachbot.store.database import make_engine, make_sessionmaker, upgrade
from coachbot.store.models import OutboxMessage
from coachbot.store.outbox import Scope

CONTENT = Path(__file__).resolve().parent.parent / "content"
START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
PLATFORM = "bench"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def plan_day(path: Path, tick: timedelta) -> dict[str, float]:
    """In this process: a running planner's 24 hours over an already seeded database."""
    url = sqlite_url(path)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    policy = DeliveryPolicy.from_settings(Settings(database_url=url))
    planner = Planner(load_content(CONTENT), sessions, policy,
                      Scope(frozenset({PLATFORM})))
    await planner.plan(START)  # a scheduler already running: nobody is active yet
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE learners SET status = 'active'"))
    before = peak_mb()
    ticks = int(timedelta(days=1) / tick)
    started = time.perf_counter()
    for n in range(1, ticks + 1):
        await planner.plan(START + n * tick)
    seconds = time.perf_counter() - started
    async with sessions() as session:
        rows = await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
    await engine.dispose()
    return {"rows": rows, "ticks": ticks, "seconds": seconds, "rss_before_mb": before,
            "rss_peak_mb": peak_mb()}


def measure(size: int, tick_minutes: int, folder: Path) -> dict[str, float]:
    path = folder / f"plan-{size}.db"
    upgrade(sqlite_url(path))
    track = load_content(CONTENT).default_track.id
    started = time.perf_counter()
    seed_learners(path, size, platform=PLATFORM, track=track, status="new")
    seeded = time.perf_counter() - started
    child = subprocess.run([sys.executable, __file__, "--child", str(path), "--tick-minutes",
                            str(tick_minutes)], capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(child.stdout.strip().splitlines()[-1])
    result.update(learners=size, seed_seconds=seeded, db_mb=path.stat().st_size / 2**20)
    path.unlink()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--tick-minutes", type=int, default=5)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    tick = timedelta(minutes=args.tick_minutes)
    if args.child:
        print(json.dumps(asyncio.run(plan_day(args.child, tick))))
        return
    print(f"Planning a day on SQLite, one tick every {args.tick_minutes} simulated minutes "
          f"({int(timedelta(days=1) / tick)} ticks):")
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            r = measure(size, args.tick_minutes, Path(folder))
            per_100k = r["seconds"] / (size / 100_000)
            print(f"  {size:>9,} learners: {r['rows']:>9,} rows planned in {r['seconds']:7.1f} s "
                  f"= {per_100k:5.2f} s per 100k learners; peak RSS {r['rss_peak_mb']:6.1f} MB "
                  f"(before planning {r['rss_before_mb']:.1f} MB); database {r['db_mb']:.0f} MB, "
                  f"seeded in {r['seed_seconds']:.1f} s", flush=True)


if __name__ == "__main__":
    main()
