"""What an operator sees: /metrics in the Prometheus format, and JSON logs without secrets or
message text."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from coachbot.logs import JsonFormatter, redact
from coachbot.settings import sqlite_url
from coachbot.store.database import upgrade
from tests.adapters.fake_telegram import TOKEN, FakeBotApi
from tests.adapters.running import STARTING, WAIT, coachbot_run
from tests.adapters.telegram.conftest import fake
from tests.integration.test_delivery_runtime import telegram_env

__all__ = ["fake"]  # the fixture, shared with the runtime tests


def due_learner(path: Path, user_id: int) -> None:
    """A learner whose delivery time has just come (UTC), so the running scheduler sends now."""
    upgrade(sqlite_url(path))
    now = datetime.now(UTC)
    at = max(now - timedelta(minutes=1), now.replace(hour=0, minute=0))
    stamp = (now - timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S.000000")
    con = sqlite3.connect(path)
    with con:
        con.execute("INSERT INTO learners (platform, platform_user_id, chat_id, display_name, timezone, "
                    "delivery_time, current_track, status, reminders, unreachable, created_at, "
                    "last_seen_at) VALUES ('telegram', ?, ?, 'Ann', 'UTC', ?, 'basics', 'active', "
                    "1, 0, ?, ?)", (str(user_id), str(user_id), f"{at:%H:%M}", stamp, stamp))
        con.execute("INSERT INTO track_progress (learner_id, track_id, position) "
                    "SELECT id, 'basics', 0 FROM learners")
    con.close()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_metrics_and_json_logs_of_a_running_bot(fake: FakeBotApi, tmp_path: Path) -> None:
    path = tmp_path / "coachbot.db"
    await asyncio.to_thread(due_learner, path, 1001)  # the migration runs its own event loop
    fake.started.add(1001)
    env = telegram_env(fake.base_url, sqlite_url(path), tmp_path)
    env["COACHBOT_LOG_FORMAT"] = "json"
    async with coachbot_run(env, port_from=STARTING) as running:
        async with asyncio.timeout(WAIT):
            while not fake.sent(1001):
                await asyncio.sleep(0.1)
        lesson = str(fake.sent(1001)[0]["text"])
        person = {"id": 1001, "is_bot": False, "first_name": "Ann"}
        fake.feed(fake.message_update(person, {"id": 1001, "type": "private", "first_name": "Ann"},
                                      "progress"))
        async with asyncio.timeout(WAIT):
            while len(fake.sent(1001)) < 2:
                await asyncio.sleep(0.1)
        async with aiohttp.ClientSession() as session, \
                session.get(f"http://127.0.0.1:{running.port}/metrics") as answer:
            assert answer.status == 200 and answer.content_type == "text/plain"
            figures = samples(await answer.text())
    assert figures[("coachbot_messages_total", (("kind", "lesson"), ("outcome", "sent"),
                                                ("platform", "telegram")))] == 1
    assert figures[("coachbot_outbox_rows", (("status", "sent"),))] == 1
    assert figures[("coachbot_inbound_events_total", (("platform", "telegram"),))] == 1
    assert figures[("coachbot_planning_seconds_count", ())] >= 1
    assert figures[("coachbot_dispatch_seconds_count", ())] >= 1

    lines = [line for line in running.text.splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert {"time", "level", "logger", "message"} <= set(entries[0])
    assert any("coachbot is running" in entry["message"] for entry in entries)
    assert TOKEN not in running.text
    assert lesson.splitlines()[0] not in running.text  # what was said never reaches the log


def test_secrets_in_a_library_message_are_masked() -> None:
    line = redact("POST https://api.telegram.org/bot7000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage "
                  "failed; slack xoxb-1234-5678-abcdefgh; postgresql://coach:hunter2@db/coachbot")
    assert "AAHdqTcv" not in line and "xoxb-1234" not in line and "hunter2" not in line
    assert "postgresql://coach:[redacted]@db/coachbot" in line
    record = JsonFormatter().format(__import__("logging").makeLogRecord({"msg": "token 7000001:" + "A" * 35}))
    assert json.loads(record)["message"] == "token [redacted]"
