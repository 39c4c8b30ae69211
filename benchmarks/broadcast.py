"""Broadcast: 10,000 learners due at the same minute, sent by 1, 2 and 4 workers through a
platform with Telegram's limits, then again with a worker killed (SIGKILL) and restarted.

A local fake endpoint, in a process of its own, enforces 30 messages per second overall and
one per second per chat, and answers anything beyond with 429 and a retry_after. Each worker
is a process of its own running the real scheduler (APScheduler ticking the planner and
dispatcher) on a clock that starts at the due minute and then follows real time. Workers
share one PostgreSQL database (claims) and one Redis (the rate budget); with one worker and
no --database-url a SQLite file is used instead.

For each run it prints: the rate achieved at the endpoint (first to last message) as a share
of the limit, the answers of 429, duplicates (a learner with more than one message), the most
messages accepted in any one-second window and to one chat in any one-second window, the
machine's load average while it ran and the workers' processor time per message (what the
rate needs: 30 messages/s at 20 ms each is 0.6 of a core), and, for runs with kills, how many
rows each kill left uncertain.

    python benchmarks/broadcast.py --database-url postgresql+asyncpg://postgres@127.0.0.1/bench \\
        [--redis-url redis://127.0.0.1:6379/0] [--learners 10000] [--runs 1 2 4 2x1]

A run "WxK" uses W workers and kills the first one K times (evenly spread), restarting it
each time; its rows are recovered by the restarted worker once their lease runs out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from seeding import seed_due_learners
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from coachbot.content import load_content
from coachbot.delivery.limits import HEADROOM, PlatformLimits, Rate, Throttles
from coachbot.delivery.policy import DeliveryPolicy
from coachbot.delivery.scheduler import Scheduler
from coachbot.delivery.service import DeliveryService
from coachbot.learning.progression import Progression
from coachbot.settings import sqlite_url
from coachbot.store.database import make_engine, make_sessionmaker, upgrade
from coachbot.store.models import OutboxMessage

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout: tests/ holds the fakes
from tests.fakes import FakePlatform, HttpMessenger, PlatformRules

CONTENT = Path(__file__).resolve().parent.parent / "content"
PLATFORM = "fakechat"
DUE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
UNFINISHED = ("pending", "claimed", "sending")


@dataclass(frozen=True)
class Run:
    workers: int
    kills: int

    @classmethod
    def parse(cls, text: str) -> Run:
        workers, _, kills = text.partition("x")
        return cls(int(workers), int(kills or 0))

    def __str__(self) -> str:
        kills = f", worker 1 killed {self.kills}x and restarted" if self.kills else ""
        return f"{self.workers} worker{'s' if self.workers > 1 else ''}{kills}"


# -- a worker (a process of its own) ----------------------------------------------------------

class RunningClock:
    """Real time passing, from the due minute at `epoch` (a wall-clock instant all workers share)."""

    def __init__(self, start: datetime, epoch: float) -> None:
        self.start, self.epoch = start, epoch

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.time() - self.epoch)


async def work(args: argparse.Namespace) -> None:
    content = load_content(CONTENT)
    engine = make_engine(args.database_url)
    limits = {PLATFORM: PlatformLimits(overall=Rate(args.rate, 1), per_chat=Rate(1, 1))}
    budget = None
    if args.redis_url:
        from coachbot.delivery.shared import RedisBudget, connect

        budget = RedisBudget(connect(args.redis_url), args.prefix)
    service = DeliveryService(Progression(content), make_sessionmaker(engine),
                              RunningClock(DUE, args.epoch),
                              {PLATFORM: HttpMessenger(args.endpoint, PLATFORM)},
                              Throttles(limits, args.headroom, budget),
                              DeliveryPolicy(concurrency=args.concurrency))
    scheduler = Scheduler(service, tick_seconds=1)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await scheduler.start()
    await stop.wait()
    await scheduler.stop()
    await service.dispatcher.throttles.close()
    await engine.dispose()


# -- the benchmark --------------------------------------------------------------------------

def serve_platform(rules: PlatformRules, urls: multiprocessing.Queue[str]) -> None:
    platform = FakePlatform(rules)
    urls.put(platform.url)
    platform.serve()


def stats(url: str, reset: bool = False) -> dict[str, Any]:
    path = "/stats?reset=1" if reset else "/stats"
    with urllib.request.urlopen(url.replace("/send", path), timeout=60) as response:
        found: dict[str, Any] = json.loads(response.read())
        return found


async def uncertain_reasons(engine: AsyncEngine) -> dict[str, int]:
    """Why rows ended uncertain (a kill, or a request that timed out), by reason."""
    async with engine.connect() as conn:
        reason = func.substr(OutboxMessage.last_error, 1, 80)
        rows = await conn.execute(select(reason, func.count())
                                  .where(OutboxMessage.status == "uncertain").group_by(reason))
        return {str(reason): count for reason, count in rows}


async def outbox_counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
        return {status: count for status, count in rows}


def start_worker(args: argparse.Namespace, url: str, prefix: str, epoch: float) -> subprocess.Popen[bytes]:
    command = [sys.executable, __file__, "--worker", "--database-url", url, "--endpoint", args.endpoint,
               "--epoch", repr(epoch), "--prefix", prefix, "--rate", str(args.rate),
               "--headroom", str(args.headroom), "--concurrency", str(args.concurrency)]
    if args.redis_url:
        command += ["--redis-url", args.redis_url]
    return subprocess.Popen(command, stderr=subprocess.DEVNULL)


async def broadcast(args: argparse.Namespace, run: Run, url: str) -> dict[str, Any]:
    engine = make_engine(url)
    await seed_due_learners(engine, args.learners, PLATFORM, DUE, load_content(CONTENT).default_track.id)
    stats(args.endpoint, reset=True)
    prefix, epoch = f"coachbot-bench-{secrets.token_hex(4)}", time.time()
    cpu_before = children_cpu()
    workers = [start_worker(args, url, prefix, epoch) for _ in range(run.workers)]
    kills_at = [args.learners * (k + 1) // (run.kills + 1) for k in range(run.kills)]
    uncertain_after: list[int] = []
    loads: list[float] = []
    started = time.perf_counter()
    while True:
        await asyncio.sleep(0.5)
        loads.append(os.getloadavg()[0])
        received = len(stats(args.endpoint)["received"])
        if kills_at and received >= kills_at[0]:
            kills_at.pop(0)
            before = (await outbox_counts(engine)).get("uncertain", 0)
            workers[0].send_signal(signal.SIGKILL)
            workers[0].wait()
            workers[0] = start_worker(args, url, prefix, epoch)
            uncertain_after.append(before)
        counts = await outbox_counts(engine)
        if sum(counts.values()) >= args.learners and not any(counts.get(s) for s in UNFINISHED):
            break
    wall = time.perf_counter() - started
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        worker.wait(timeout=60)
    cpu = children_cpu() - cpu_before  # every worker of the run, the killed ones too
    counts = await outbox_counts(engine)
    reasons = await uncertain_reasons(engine)
    await engine.dispose()
    marks = [*uncertain_after, counts.get("uncertain", 0)]
    per_kill = [b - a for a, b in pairwise(marks)]
    return {"wall": wall, "statuses": counts, "uncertain_per_kill": per_kill, "reasons": reasons,
            "load": (sum(loads) / len(loads), max(loads)), "cpu": cpu}


def children_cpu() -> float:
    """Processor seconds used by the child processes that have ended (the workers)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def busiest_second(times: list[float]) -> int:
    ordered = sorted(times)
    return max((bisect_left(ordered, t + 1.0) - i for i, t in enumerate(ordered)), default=0)


def report(args: argparse.Namespace, run: Run, result: dict[str, Any], seen: dict[str, Any]) -> None:
    received = seen["received"]
    times = [at for at, _, _ in received]
    by_chat: dict[str, list[float]] = defaultdict(list)
    for at, chat, _ in received:
        by_chat[chat].append(at)
    per_chat = Counter({chat: len(at) for chat, at in by_chat.items()})
    span = max(times) - min(times) if len(times) > 1 else 0.0
    achieved = (len(times) - 1) / span if span else 0.0
    statuses = result["statuses"]
    print(f"{run}: {len(times):,} messages in {result['wall']:.0f} s (outbox: {statuses}); "
          f"load average {result['load'][0]:.1f} (at most {result['load'][1]:.1f}) on "
          f"{os.cpu_count()} cores; the workers used {result['cpu']:.0f} s of processor time, "
          f"{1000 * result['cpu'] / max(1, len(times)):.1f} ms per message")
    print(f"  rate {achieved:.2f}/s = {achieved / args.rate:.3f} of the limit (goal >= 0.95); "
          f"429 answers: {seen['rate_limited']} (goal 0); "
          f"duplicates: {sum(count - 1 for count in per_chat.values())} (goal 0)")
    print(f"  most accepted in one second: {busiest_second(times)} (goal <= {args.rate:g}); "
          f"most to one chat in one second: {max(busiest_second(t) for t in by_chat.values())} (goal <= 1)")
    if result["reasons"]:
        print(f"  uncertain, by reason: {result['reasons']}")
    if run.kills:
        print(f"  uncertain after each kill: {result['uncertain_per_kill']} (goal <= {args.concurrency} "
              f"each); learners without a lesson: {args.learners - len(per_chat)}, "
              f"of them uncertain: {statuses.get('uncertain', 0)}")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--runs", nargs="+", default=[Run.parse(r) for r in ("1", "2", "4", "2x1")],
                        type=Run.parse,
                        help="W (workers) or WxK (W workers, the first killed K times)")
    parser.add_argument("--database-url", help="PostgreSQL for the workers (emptied first); "
                        "without it one worker runs on a temporary SQLite file")
    parser.add_argument("--redis-url", default=os.environ.get("COACHBOT_REDIS_URL"))
    parser.add_argument("--rate", type=float, default=30, help="the endpoint's overall limit per second")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--headroom", type=float, default=HEADROOM)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    parser.add_argument("--epoch", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--prefix", default="coachbot-bench", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        asyncio.run(work(args))
        return
    urls: multiprocessing.Queue[str] = multiprocessing.Queue()
    rules = PlatformRules(overall_per_second=args.rate, chat_interval=1.0)
    server = multiprocessing.Process(target=serve_platform, args=(rules, urls), daemon=True)
    server.start()
    args.endpoint = urls.get(timeout=30)
    try:
        with tempfile.TemporaryDirectory() as folder:
            for run in args.runs:
                url = args.database_url or sqlite_url(Path(folder) / f"broadcast-{run.workers}.db")
                if run.workers > 1 and not (args.database_url and args.redis_url):
                    parser.error("several workers need --database-url (PostgreSQL) and --redis-url")
                upgrade(url)
                print(f"Sending {args.learners:,} lessons due at {DUE:%H:%M} UTC through an endpoint "
                      f"that allows {args.rate:g}/s overall and 1/s per chat, {run} ...", flush=True)
                result = asyncio.run(broadcast(args, run, url))
                report(args, run, result, stats(args.endpoint))
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
