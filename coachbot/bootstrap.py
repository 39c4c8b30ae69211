"""The composition root: builds the store, content, FAQ matcher and coach from settings.

Tests build the same graph through `build`, swapping in what they need (a simulated clock,
the lexical matcher, a test database, roomier rate limits).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from coachbot.authoring.check import load_checked_content
from coachbot.clock import Clock, SystemClock, machine_zone_name
from coachbot.content import Content
from coachbot.conversation import Coach
from coachbot.delivery.limits import Throttles
from coachbot.delivery.platform_facts import PlatformFacts
from coachbot.delivery.policy import DeliveryPolicy
from coachbot.delivery.ports import Messenger
from coachbot.delivery.scheduler import Scheduler
from coachbot.delivery.service import DeliveryService
from coachbot.faq import FaqMatcher
from coachbot.faq.choose import choose_matcher
from coachbot.groups import reviews, sections
from coachbot.learning.progression import Progression
from coachbot.platform import platform_limits
from coachbot.queued import WorkQueued
from coachbot.settings import Settings, default_content_dir, default_data_dir
from coachbot.store.database import make_engine, make_sessionmaker
from coachbot.store.outbox import Scope


@dataclass
class App:
    settings: Settings
    content: Content
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    coach: Coach
    throttles: Throttles
    progression: Progression
    queued: WorkQueued  # said by the coach and the dashboard, heard by the scheduler

    @property
    def facts(self) -> PlatformFacts:
        """Where adapters report what a platform tells outside a conversation (blocked, moved)."""
        return PlatformFacts(self.sessions)

    def delivery(self, messengers: Mapping[str, Messenger], scope: Scope | None = None) -> DeliveryService:
        """Planner and dispatcher sending through `messengers` (one per platform)."""
        return DeliveryService(self.progression, self.sessions, self.clock, messengers, self.throttles,
                               DeliveryPolicy.from_settings(self.settings), scope)

    def scheduler(self, messengers: Mapping[str, Messenger], scope: Scope | None = None) -> Scheduler:
        """The daily-lesson scheduler; `await start()` inside the running loop, `await stop()` at exit."""
        return Scheduler(self.delivery(messengers, scope), self.settings.delivery_tick_seconds,
                         self.queued)

    async def close(self) -> None:
        await self.throttles.close()
        await self.engine.dispose()


def build_matcher(content: Content, cache_dir: Path | None = None) -> FaqMatcher:
    """The semantic hybrid, loaded with the first question (lexical with COACHBOT_FAQ_LEXICAL=1)."""
    return choose_matcher(content.faq, cache_dir or default_data_dir() / "cache")


def build_throttles(settings: Settings) -> Throttles:
    """The installed platforms' rate limits: shared through Redis when COACHBOT_REDIS_URL is set."""
    limits = platform_limits()
    if settings.redis_url is None:
        return Throttles(limits)
    from coachbot.delivery.shared import RedisBudget, connect

    return Throttles(limits, budget=RedisBudget(connect(settings.redis_url), settings.redis_prefix))


def build(settings: Settings | None = None, clock: Clock | None = None,
          content_dir: Path | None = None, default_zone: str | None = None, *,
          content: Content | None = None, matcher: FaqMatcher | None = None,
          engine: AsyncEngine | None = None, throttles: Throttles | None = None) -> App:
    """The whole graph from settings; each keyword replaces the part built by default."""
    settings = settings or Settings()
    clock = clock or SystemClock()
    if content is None:
        content = load_checked_content(content_dir or default_content_dir())
    if engine is None:
        engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    queued = WorkQueued()
    matcher = build_matcher(content) if matcher is None else matcher
    sections.register(reviews.GroupFigures(content.coaching.reviews))
    coach = Coach(content, sessions, clock, matcher, settings,
                  default_zone=default_zone or machine_zone_name(), queued=queued)
    return App(settings, content, engine, sessions, clock, coach,
               build_throttles(settings) if throttles is None else throttles, coach.progression,
               queued)
