"""Group report and CSV export for a large group: seconds and peak memory.

Builds a SQLite database with one group of N members (default 10,000) and 90 days of lesson
history (each member completes a lesson on about 70% of days), then times the mentor's
`report` (figures, text and chart) and the CSV export of the same figures.

    python benchmarks/report.py [--members 10000] [--days 90]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import resource
import sqlite3
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from coachbot.groups.chart import render_png
from coachbot.groups.report import build_report, render_text, write_csv
from coachbot.settings import sqlite_url
from coachbot.store.database import make_engine, make_sessionmaker, upgrade
from coachbot.store.models import Group

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def populate(path: Path, members: int, days: int) -> int:
    """Bulk-load with the standard library (fast); the report reads it through the app's engine."""
    rng = random.Random(7)
    con = sqlite3.connect(path)
    stamp = NOW.isoformat(sep=" ")
    con.execute("INSERT INTO groups (id, platform, chat_id, title, active, timezone, position, "
                "created_at) VALUES (1, 'bench', 'big', 'Big group', 1, 'UTC', 0, ?)", (stamp,))
    learners, memberships, records = [], [], []
    for i in range(1, members + 1):
        seen = (NOW - timedelta(days=rng.randint(0, 20))).isoformat(sep=" ")
        learners.append((i, "bench", f"u{i}", f"u{i}", f"Member {i}", "UTC", "09:00", "engagement",
                         "active", 1, 0, stamp, seen))
        memberships.append((1, i, stamp))
        for d in range(days):
            if rng.random() < 0.7:
                day = NOW.date() - timedelta(days=d)
                at = datetime.combine(day, datetime.min.time(), UTC).isoformat(sep=" ")
                records.append((i, "engagement", f"l{d}", at, day.isoformat(), at, day.isoformat()))
    con.executemany("INSERT INTO learners (id, platform, platform_user_id, chat_id, display_name, "
                    "timezone, delivery_time, current_track, status, reminders, unreachable, "
                    "created_at, last_seen_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", learners)
    con.executemany("INSERT INTO memberships (group_id, learner_id, joined_at) VALUES (?,?,?)",
                    memberships)
    con.executemany("INSERT INTO lesson_records (learner_id, track_id, lesson_id, delivered_at, "
                    "delivered_on, completed_at, completed_on) VALUES (?,?,?,?,?,?,?)", records)
    con.commit()
    con.close()
    return len(records)


async def run_once(url: str) -> dict[str, float]:
    """One report (figures, text, chart) and one CSV export; seconds for each part."""
    engine = make_engine(url)
    timings: dict[str, float] = {}
    try:
        async with make_sessionmaker(engine)() as session:
            group = await session.scalar(select(Group))
            assert group is not None
            start = time.perf_counter()
            report = await build_report(session, group, NOW)
            timings["figures"] = time.perf_counter() - start
            render_text(report)
            timings["png_bytes"] = len(render_png(report))
            timings["report"] = time.perf_counter() - start
            start = time.perf_counter()
            out = io.StringIO()
            timings["rows"] = write_csv([await build_report(session, group, NOW)], out)
            timings["csv"] = time.perf_counter() - start
    finally:
        await engine.dispose()
    return timings


async def measure(url: str) -> None:
    await run_once(url)  # warm-up: imports (matplotlib) and the page cache
    timed = await run_once(url)
    tracemalloc.start()
    await run_once(url)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"report: {timed['report']:.2f} s (figures {timed['figures']:.2f} s, then text and a "
          f"{timed['png_bytes']:,.0f}-byte chart)")
    print(f"csv: {timed['rows']:,.0f} member rows in {timed['csv']:.2f} s")
    print(f"peak Python memory (report and csv): {peak / 2**20:.1f} MiB; process max RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=90)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        url = sqlite_url(path)
        upgrade(url)
        start = time.perf_counter()
        records = populate(path, args.members, args.days)
        print(f"group of {args.members:,} members, {args.days} days, {records:,} completed "
              f"lessons (loaded in {time.perf_counter() - start:.1f} s); today {date(2026, 6, 1)}")
        asyncio.run(measure(url))


if __name__ == "__main__":
    main()
