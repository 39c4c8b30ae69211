"""A delivery worker for the crash test: sends today's due lessons through a fake platform.

Usage, from the checkout: python -m tests.integration.crash_worker DATABASE_URL ENDPOINT_URL NOW_ISO
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path

from coachbot.clock import SimulatedClock
from coachbot.content import load_content
from coachbot.delivery.limits import Throttles
from coachbot.delivery.policy import DeliveryPolicy
from coachbot.delivery.service import DeliveryService
from coachbot.learning.progression import Progression
from coachbot.store.database import make_engine, make_sessionmaker
from tests.fakes import HttpMessenger

FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "content"  # as tests/conftest.py


async def work(url: str, endpoint: str, now: str) -> dict[str, int]:
    content = load_content(FIXTURE_DIR)
    engine = make_engine(url)
    try:
        clock = SimulatedClock(datetime.fromisoformat(now))
        service = DeliveryService(Progression(content), make_sessionmaker(engine), clock,
                                  {"fakechat": HttpMessenger(endpoint)}, Throttles({}),
                                  DeliveryPolicy(concurrency=8))
        recovered = await service.recover()
        report = await service.step()
        return {"recovered": recovered, "planned": report.planned, "sent": report.sent.sent}
    finally:
        await engine.dispose()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(work(*sys.argv[1:4]))), flush=True)
