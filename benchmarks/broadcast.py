"""Broadcast: 10,000 learners due at the same minute, sent through a platform with Telegram's limits.

A local fake endpoint enforces 30 messages per second overall and one per second per chat, and
answers anything beyond with 429 and a retry_after. The real scheduler (APScheduler ticking the
planner and dispatcher) runs on a clock that starts at the due minute and then follows real
time, and sends through the same per-platform throttle the real adapters use. Reported: the
achieved rate as a fraction of the limit (measured at the endpoint, first to last message),
the number of 429s received, and duplicates (learners who got more than one message).

    python benchmarks/broadcast.py [--learners 10000] [--rate 30] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import tempfile
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.content import load_content
from coachbot.conversation import Coach
from coachbot.delivery.limits import BURST, HEADROOM, PlatformLimits, Rate, Throttles
from coachbot.delivery.policy import Policy
from coachbot.delivery.scheduler import Scheduler
from coachbot.delivery.service import DeliveryService
from coachbot.delivery.testing import FakePlatform, HttpMessenger, PlatformRules, seed_learners
from coachbot.faq import LexicalMatcher
from coachbot.settings import sqlite_url
from coachbot.store.database import make_engine, make_sessionmaker, upgrade
from coachbot.store.models import OutboxMessage

CONTENT = Path(__file__).resolve().parent.parent / "content"
PLATFORM = "fakechat"
DUE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def broadcast(path: Path, url: str, args: argparse.Namespace) -> dict[str, Any]:
    content = load_content(CONTENT)
    engine = make_engine(sqlite_url(path))
    sessions = make_sessionmaker(engine)
    coach = Coach(content, sessions, RunningClock(DUE), LexicalMatcher(content.faq))
    limits = {PLATFORM: PlatformLimits(overall=Rate(args.rate, 1), per_chat=Rate(1, 1))}
    service = DeliveryService(coach, {PLATFORM: HttpMessenger(url, PLATFORM)},
                              Throttles(limits, args.headroom, args.burst),
                              Policy(concurrency=args.concurrency))
    scheduler = Scheduler(service, tick_seconds=1)
    started = time.perf_counter()
    await scheduler.start()
    while not (statuses := await outbox_counts(sessions)) or statuses.get("pending") or statuses.get(
            "sending"):
        await asyncio.sleep(0.5)  # until every row is planned and has an outcome
    wall = time.perf_counter() - started
    await scheduler.stop()
    await engine.dispose()
    return {"wall": wall, "statuses": statuses}


class RunningClock:
    """Real time passing, from a chosen start (09:00 on a Monday, whenever this runs)."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.began = time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.began)


async def outbox_counts(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessions() as session:
        rows = await session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
        return {status: count for status, count in rows}


def serve_platform(rules: PlatformRules, urls: multiprocessing.Queue[str]) -> None:
    """The fake endpoint in a process of its own, so its clock is not held up by the sender's."""
    platform = FakePlatform(rules)
    urls.put(platform.url)
    platform.serve()


def stats(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url.replace("/send", "/stats"), timeout=60) as response:
        found: dict[str, Any] = json.loads(response.read())
        return found


def explain_429s(accepted: list[float], limited: list[float]) -> None:
    for at in limited:
        window = [t for t in accepted if at - 1 < t <= at]
        gaps = [round((b - a) * 1000, 1) for a, b in pairwise(window)]
        print(f"    429 at +{at - accepted[0]:.3f} s: {len(window)} accepted in the second before; "
              f"gaps (ms) {gaps}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=30, help="the endpoint's overall limit per second")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--headroom", type=float, default=HEADROOM)
    parser.add_argument("--burst", type=int, default=BURST)
    parser.add_argument("--show-429s", action="store_true",
                        help="for each 429, the gaps between the messages accepted the second before")
    args = parser.parse_args()
    urls: multiprocessing.Queue[str] = multiprocessing.Queue()
    server = multiprocessing.Process(
        target=serve_platform, args=(PlatformRules(overall_per_second=args.rate, chat_interval=1.0), urls),
        daemon=True)
    server.start()
    url = urls.get(timeout=30)
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "broadcast.db"
            upgrade(sqlite_url(path))
            seed_learners(path, args.learners, platform=PLATFORM, zones=["UTC"], times=["09:00"])
            print(f"Sending {args.learners:,} lessons due at {DUE:%H:%M} UTC to an endpoint that "
                  f"allows {args.rate:g}/s overall and 1/s per chat ...", flush=True)
            result = asyncio.run(broadcast(path, url, args))
        seen = stats(url)
    finally:
        server.terminate()
    received = seen["received"]
    per_chat = Counter(chat for _, chat, _ in received)
    span = received[-1][0] - received[0][0] if len(received) > 1 else 0.0
    achieved = (len(received) - 1) / span if span else 0.0
    print(f"  delivered {len(received):,} of {args.learners:,} in {result['wall']:.1f} s "
          f"(outbox: {result['statuses']})")
    print(f"  achieved rate {achieved:.2f}/s = {achieved / args.rate:.3f} of the {args.rate:g}/s limit "
          "(target at least 0.95)")
    print(f"  429 answers received: {seen['rate_limited']} (target 0)")
    if args.show_429s:
        explain_429s([at for at, _, _ in received], seen["limited_at"])
    print(f"  duplicates: {sum(count - 1 for count in per_chat.values())} (target 0); "
          f"learners without a lesson: {args.learners - len(per_chat)}")


if __name__ == "__main__":
    main()
