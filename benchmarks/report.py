"""Group report, CSV export and the dashboard's group page for a large group.

Builds a SQLite database with one group of N members (default 10,000) and 90 days of lesson
history (each member completes a lesson on about 70% of days), then times the mentor's
`report` (figures, text and chart), the CSV export of the same figures, and the dashboard's
group page served over HTTP on this machine (server time and page size; the members table
shows 100 members a page).

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

import aiohttp
from sqlalchemy import select

from coachbot.clock import SimulatedClock
from coachbot.content import load_content
from coachbot.conversation import Coach
from coachbot.dashboard.access import issue_link
from coachbot.dashboard.web import Dashboard
from coachbot.faq import LexicalMatcher
from coachbot.groups.chart import render_png
from coachbot.groups.report import build_report, render_text, write_csv
from coachbot.http import HttpServer
from coachbot.settings import Settings, default_content_dir, sqlite_url
from coachbot.store.database import make_engine, make_sessionmaker, upgrade
from coachbot.store.models import Group, Learner

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
MENTOR_ID = 10**8  # the mentor asking for the page, not one of the members
PAGE_LOADS = 5


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
    learners.append((MENTOR_ID, "bench", "mentor", "mentor", "Mentor", "UTC", "09:00", None, "new", 1,
                     0, stamp, stamp))
    con.executemany("INSERT INTO learners (id, platform, platform_user_id, chat_id, display_name, "
                    "timezone, delivery_time, current_track, status, reminders, unreachable, "
                    "created_at, last_seen_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", learners)
    con.executemany("INSERT INTO memberships (group_id, learner_id, joined_at) VALUES (?,?,?)",
                    memberships)
    con.execute("INSERT INTO memberships (group_id, learner_id, joined_at, mentor) VALUES (1, ?, ?, 1)",
                (MENTOR_ID, stamp))
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


async def page_loads(url: str) -> dict[str, float]:
    """The dashboard's group page over HTTP on this machine: median seconds and bytes."""
    port = 8791
    base = f"http://127.0.0.1:{port}"
    settings = Settings(database_url=url, public_url=base, secret_key="benchmark-secret-" * 3)
    content = load_content(default_content_dir())
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    coach = Coach(content, sessions, SimulatedClock(NOW), LexicalMatcher(content.faq), settings)
    server = HttpServer(Dashboard(coach, settings).routes(), "127.0.0.1", port)
    await server.start()
    figures: dict[str, float] = {}
    try:
        async with sessions() as session, session.begin():
            mentor = await session.get(Learner, MENTOR_ID)
            assert mentor is not None
            link = await issue_link(session, mentor, base, settings.secret_key or "", NOW)
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
            start = time.perf_counter()
            async with client.post(link) as opened:  # signs in, then the groups page: figures computed
                figures["first_bytes"] = len(await opened.read())
                assert opened.status == 200, opened.status
            figures["first"] = time.perf_counter() - start
            for name, query in (("page", ""), ("sorted", "?sort=streak&dir=desc&page=37")):
                times, size = [], 0
                for _ in range(PAGE_LOADS):
                    start = time.perf_counter()
                    async with client.get(f"{base}/dashboard/groups/1{query}") as page:
                        size = len(await page.read())
                        assert page.status == 200, page.status
                    times.append(time.perf_counter() - start)
                figures[name], figures[f"{name}_bytes"] = sorted(times)[len(times) // 2], size
    finally:
        await server.stop()
        await engine.dispose()
    return figures


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
    page = await page_loads(url)
    print(f"dashboard, signing in and the groups page (computes the figures): {page['first']:.2f} s, "
          f"{page['first_bytes'] / 1024:.1f} KiB")
    print(f"dashboard group page, 100 members a page (figures kept for a minute; median of "
          f"{PAGE_LOADS}): {page['page']:.2f} s, {page['page_bytes'] / 1024:.0f} KiB; sorted by "
          f"streak, page 37: {page['sorted']:.2f} s, {page['sorted_bytes'] / 1024:.0f} KiB")


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
