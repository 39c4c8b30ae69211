"""Retention keeps the outbox and the inbound-event claims bounded, and deletes nothing that
still matters; the new settings say which variable is wrong."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.clock import SimulatedClock
from coachbot.conversation import Coach
from coachbot.delivery.limits import Throttles
from coachbot.delivery.policy import DeliveryPolicy
from coachbot.delivery.retention import prune
from coachbot.settings import Settings, SettingsError, load_settings
from coachbot.store.models import InboundEvent, OutboxMessage
from tests.delivery_kit import delivery_for
from tests.fakes import RecordingMessenger

NOW = datetime.fromisoformat("2026-06-30T12:00+00:00")
OLD, RECENT = NOW - timedelta(days=100), NOW - timedelta(days=10)


def row(n: int, status: str, at: datetime) -> OutboxMessage:
    return OutboxMessage(kind="lesson", recipient=f"learner:{n}", slot="daily", platform="test",
                         chat_id=f"c{n}", local_date=date(at.year, at.month, at.day), due_at=at,
                         expires_at=at + timedelta(hours=12), status=status, attempts=1,
                         next_attempt_at=at, created_at=at)


@pytest.fixture
async def history(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        statuses = ["sent", "skipped", "failed", "uncertain", "pending"]
        session.add_all(row(n, statuses[n % 5], OLD if n < 50 else RECENT) for n in range(70))
        session.add_all([
            InboundEvent(platform="slack", event_id="old-done", claimed_at=OLD, done_at=OLD),
            InboundEvent(platform="slack", event_id="old-open", claimed_at=OLD, done_at=None),
            InboundEvent(platform="slack", event_id="recent", claimed_at=RECENT, done_at=RECENT)])


async def left(sessions: async_sessionmaker[AsyncSession]) -> tuple[list[tuple[str, bool]], set[str]]:
    async with sessions() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
        events = set((await session.scalars(select(InboundEvent.event_id))).all())
    return sorted({(r.status, r.due_at < NOW - timedelta(days=90)) for r in rows}), events


async def test_finished_rows_and_handled_events_past_retention_go_in_small_batches(
        history: None, sessions: async_sessionmaker[AsyncSession]) -> None:
    removed = await prune(sessions, NOW, timedelta(days=90), batch=7)
    assert removed == {"outbox": 30, "inbound_events": 1}  # 10 each of sent, skipped, failed
    kept, events = await left(sessions)
    assert kept == [("failed", False), ("pending", False), ("pending", True), ("sent", False),
                    ("skipped", False), ("uncertain", False), ("uncertain", True)]
    assert events == {"old-open", "recent"}
    assert await prune(sessions, NOW, timedelta(days=90)) == {"outbox": 0, "inbound_events": 0}


async def test_the_scheduler_prunes_with_the_configured_period_or_not_at_all(
        history: None, sessions: async_sessionmaker[AsyncSession], coach: Coach,
        clock: SimulatedClock) -> None:
    clock.set(NOW)
    keep_all = delivery_for(coach, {"test": RecordingMessenger()}, Throttles({}),
                               DeliveryPolicy(retention=None))
    assert await keep_all.prune() == {}
    week = delivery_for(coach, {"test": RecordingMessenger()}, Throttles({}),
                           DeliveryPolicy(retention=timedelta(days=7)))
    assert (await week.prune())["outbox"] == 42  # the recent ones are older than a week too


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("COACHBOT_RETENTION_DAYS", "soon", "COACHBOT_RETENTION_DAYS=soon: expected whole days"),
    ("COACHBOT_REDIS_URL", "http://cache:6379", "COACHBOT_REDIS_URL=http://cache:6379: expected redis://"),
    ("COACHBOT_LOG_FORMAT", "xml", "COACHBOT_LOG_FORMAT=xml: expected text or json"),
    ("COACHBOT_REDIS_PREFIX", "two words", "COACHBOT_REDIS_PREFIX=two words: expected a short key prefix"),
    ("COACHBOT_DELIVERY_MAX_ATTEMPTS", "-1", "COACHBOT_DELIVERY_MAX_ATTEMPTS=-1: expected a whole number"),
])
def test_a_bad_delivery_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch, variable: str,
                                                   value: str, expected: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=expected.replace("?", r"\?").replace("+", r"\+")):
        load_settings()


def test_retention_is_90_days_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COACHBOT_RETENTION_DAYS", raising=False)
    assert Settings().retention == timedelta(days=90)
    monkeypatch.setenv("COACHBOT_RETENTION_DAYS", "off")
    assert Settings().retention is None
    monkeypatch.setenv("COACHBOT_RETENTION_DAYS", "30")
    assert DeliveryPolicy.from_settings(Settings()).retention == timedelta(days=30)
