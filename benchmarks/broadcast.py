"""Broadcast: 10,000 learners due at the same minute, sent through a platform with Telegram's limits.

A local fake endpoint enforces 30 messages per second overall and one per second per chat, and
answers anything beyond with 429 and a retry_after. The dispatcher sends through the same
per-platform throttle the real adapters use. Reported: the achieved rate as a fraction of the
limit (measured at the endpoint, first to last message), the number of 429s received, and
duplicates (learners who got more than one message).

    python benchmarks/broadcast.py [--learners 10000] [--rate 30] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from coachbot.clock import FakeClock
from coachbot.content import load_content
from coachbot.conversation import Coach
from coachbot.delivery.limits import BURST, HEADROOM, PlatformLimits, Rate, Throttles
from coachbot.delivery.policy import Policy
from coachbot.delivery.service import DeliveryService
from coachbot.delivery.testing import FakePlatform, HttpMessenger, PlatformRules, seed_learners
from coachbot.faq import LexicalMatcher
from coachbot.settings import sqlite_url
from coachbot.store.database import make_engine, make_sessionmaker, upgrade
from coachbot.store.models import OutboxMessage

CONTENT = Path(__file__).resolve().parent.parent / "content"
PLATFORM = "fakechat"
DUE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def broadcast(path: Path, platform: FakePlatform, args: argparse.Namespace) -> dict[str, object]:
    content = load_content(CONTENT)
    engine = make_engine(sqlite_url(path))
    sessions = make_sessionmaker(engine)
    coach = Coach(content, sessions, FakeClock(DUE), LexicalMatcher(content.faq))
    limits = {PLATFORM: PlatformLimits(overall=Rate(args.rate, 1), per_chat=Rate(1, 1))}
    service = DeliveryService(coach, {PLATFORM: HttpMessenger(platform.url, PLATFORM)},
                              Throttles(limits, args.headroom, args.burst),
                              Policy(concurrency=args.concurrency))
    started = time.perf_counter()
    step = await service.step()
    wall = time.perf_counter() - started
    async with sessions() as session:
        statuses = dict((await session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))).all())
    await engine.dispose()
    return {"planned": step.planned, "wall": wall, "statuses": statuses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=30, help="the endpoint's overall limit per second")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--headroom", type=float, default=HEADROOM)
    parser.add_argument("--burst", type=int, default=BURST)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "broadcast.db"
        upgrade(sqlite_url(path))
        seed_learners(path, args.learners, platform=PLATFORM, zones=["UTC"], times=["09:00"])
        platform = FakePlatform(PlatformRules(overall_per_second=args.rate, chat_interval=1.0))
        print(f"Sending {args.learners:,} lessons due at {DUE:%H:%M} UTC to an endpoint that allows "
              f"{args.rate:g}/s overall and 1/s per chat ...", flush=True)
        with platform.running():
            result = asyncio.run(broadcast(path, platform, args))
    received = platform.received
    per_chat = Counter(message.chat_id for message in received)
    span = received[-1].at - received[0].at if len(received) > 1 else 0.0
    achieved = (len(received) - 1) / span if span else 0.0
    print(f"  delivered {len(received):,} of {args.learners:,} in {result['wall']:.1f} s "
          f"(planned {result['planned']:,}; outbox: {result['statuses']})")
    print(f"  achieved rate {achieved:.2f}/s = {achieved / args.rate:.3f} of the {args.rate:g}/s limit "
          "(target at least 0.95)")
    print(f"  429 answers received: {platform.rate_limited} (target 0)")
    print(f"  duplicates: {sum(count - 1 for count in per_chat.values())} (target 0); "
          f"learners without a lesson: {args.learners - len(per_chat)}")


if __name__ == "__main__":
    main()
