"""The composition root: builds the store, content, FAQ matcher and coach from settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from coachbot.clock import Clock, SystemClock, machine_zone_name
from coachbot.content import Content, load_content
from coachbot.conversation import Coach
from coachbot.faq import FaqMatcher, LexicalMatcher
from coachbot.settings import Settings, default_content_dir
from coachbot.store.database import make_engine, make_sessionmaker


@dataclass
class App:
    settings: Settings
    content: Content
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    coach: Coach

    async def close(self) -> None:
        await self.engine.dispose()


def build_matcher(content: Content) -> FaqMatcher:
    return LexicalMatcher(content.faq)


def build(settings: Settings | None = None, clock: Clock | None = None,
          content_dir: Path | None = None, default_zone: str | None = None) -> App:
    settings = settings or Settings()
    clock = clock or SystemClock()
    content = load_content(content_dir or default_content_dir())
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    coach = Coach(content, sessions, clock, build_matcher(content), settings,
                  default_zone=default_zone or machine_zone_name())
    return App(settings, content, engine, sessions, clock, coach)
