"""Shared fixtures: a real database (SQLite always, PostgreSQL when configured), a simulated
clock, the fixture curriculum, the app built by the composition root, and a chat helper that
talks to the coach like a platform would.

Tests run on the small curriculum in tests/fixtures/content, so an author editing content/
breaks nothing here; the tests of the bundled content itself load CONTENT_DIR explicitly."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from coachbot.bootstrap import App, build
from coachbot.buttons import Rate, decode, encode
from coachbot.clock import Clock, SimulatedClock
from coachbot.content import Content, load_content
from coachbot.conversation import Coach
from coachbot.delivery.limits import Throttles
from coachbot.faq import LexicalMatcher
from coachbot.messages import ChatKind, Incoming, Reply
from coachbot.settings import Settings, sqlite_url
from coachbot.store.database import make_engine, make_sessionmaker, upgrade
from coachbot.store.models import Base

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content"  # the bundled curriculum
FIXTURE_DIR = ROOT / "tests" / "fixtures" / "content"
# What a `coachbot` child process needs to run on the fixture curriculum (smaller than the
# bundled one's 9 tracks and 70 lessons) with the lexical FAQ matcher, which loads no model.
FIXTURE_ENV = {"COACHBOT_CONTENT_DIR": str(FIXTURE_DIR), "COACHBOT_CONTENT_MIN_TRACKS": "3",
               "COACHBOT_CONTENT_MIN_LESSONS": "12", "COACHBOT_FAQ_LEXICAL": "1"}
SHARED = ROOT.parent / "shared"
PG_URL = os.environ.get("COACHBOT_TEST_DATABASE_URL")

BACKENDS = ["sqlite", *(["postgres"] if PG_URL else [])]


def child_env(**settings: str) -> dict[str, str]:
    """The environment for a `coachbot` child: this one's, on the fixture curriculum, plus `settings`."""
    return {**os.environ, **FIXTURE_ENV, **settings}


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(FIXTURE_DIR)


@pytest.fixture(scope="session")
def bundled_content() -> Content:
    """The curriculum that ships, for the tests of the content itself (its checks, the FAQ's quality)."""
    return load_content(CONTENT_DIR)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once keeps the suite fast)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(sqlite_url(path))
    return path


@pytest.fixture(scope="session")
def postgres_ready() -> str:
    assert PG_URL is not None
    upgrade(PG_URL)
    return PG_URL


async def _truncate(engine: AsyncEngine) -> None:
    names = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated, empty database, on every configured backend."""
    if request.param == "sqlite":
        path = tmp_path / "coachbot.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield sqlite_url(path)
        return
    url = request.getfixturevalue("postgres_ready")
    engine = make_engine(url)
    asyncio.run(_truncate(engine))
    asyncio.run(engine.dispose())
    yield url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))  # a Monday


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, mentors=frozenset({"console:mentor-mia"}))


def app_for(content: Content, engine: AsyncEngine, clock: Clock, settings: Settings,
             throttles: Throttles | None = None) -> App:
    """The app `coachbot run` builds, on the test's database, clock and content, with the
    lexical FAQ matcher (quick to build) and Berlin as the zone of people who name none."""
    return build(settings, clock, default_zone="Europe/Berlin", content=content,
                 matcher=LexicalMatcher(content.faq), engine=engine,
                 throttles=Throttles() if throttles is None else throttles)


@pytest.fixture
def throttles() -> Throttles:
    return Throttles()


@pytest.fixture
def app(content: Content, engine: AsyncEngine, clock: SimulatedClock, settings: Settings,
        throttles: Throttles) -> App:
    return app_for(content, engine, clock, settings, throttles)


@pytest.fixture
def coach(app: App) -> Coach:
    return app.coach


class Chat:
    """A person typing to the coach from one chat, recording everything said back."""

    def __init__(self, coach: Coach, user: str = "ann", platform: str = "test",
                 chat_id: str | None = None, group: bool = False, admin: bool = False,
                 timezone: str | None = None, display_name: str | None = None) -> None:
        self.coach = coach
        self.user = user
        self.display_name = user.title() if display_name is None else display_name
        self.platform = platform
        self.chat_id = chat_id or user
        self.group = group
        self.admin = admin
        self.timezone = timezone
        self.last: list[Reply] = []
        self.first_lesson: Reply | None = None

    async def say(self, text: str = "", action: str | None = None) -> str:
        incoming = Incoming(platform=self.platform, user_id=self.user, text=text, action=action,
                            display_name=self.display_name, chat_id=self.chat_id,
                            chat_kind=ChatKind.GROUP if self.group else ChatKind.PRIVATE,
                            is_chat_admin=self.admin, timezone=self.timezone)
        self.last = await self.coach.handle(incoming)
        return "\n".join(r.text for r in self.last)

    async def press(self, action: str) -> str:
        return await self.say(action=action)

    @property
    def choices(self) -> list[str]:
        return [c.action for r in self.last for c in r.choices]

    async def onboard(self, track: str = "", zone: str = "", at: str = "", purpose: str = "",
                      confidence: int | None = 3) -> str:
        """Answer every onboarding question, and the first track's confidence question with
        `confidence` (None leaves it open); returns what the last answer got back, and keeps
        the first lesson's reply in `first_lesson`."""
        await self.say("start")
        await self.say(purpose)
        await self.say(track)
        await self.say(zone)
        finished = await self.say(at)
        self.first_lesson = next((r for r in self.last if r.lesson is not None), None)
        ratings = [a for a in map(decode, self.choices) if isinstance(a, Rate) and a.score == confidence]
        if ratings:
            await self.press(encode(ratings[0]))
        return finished


@pytest.fixture
def chat(coach: Coach) -> Chat:
    return Chat(coach)


def pg_database_name() -> str | None:
    return make_url(PG_URL).database if PG_URL else None
