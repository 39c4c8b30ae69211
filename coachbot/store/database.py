"""Engine and session factory, and schema upgrades through Alembic."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from coachbot.settings import SettingsError

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_parent(url: str) -> None:
    database = make_url(url).database
    if is_sqlite(url) and database and database != ":memory:":
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


SQLITE_HEADER = b"SQLite format 3\x00"


def check_database(url: str, variable: str) -> None:
    """Fail with one line naming `variable` when the database cannot be used at all.

    Synchronous, like `upgrade`: call it before the event loop and before any platform connects.
    """
    if is_sqlite(url):
        check_sqlite_file(url, variable)
    try:
        asyncio.run(asyncio.wait_for(_ping(url), CONNECT_SECONDS))
    except Exception as exc:  # every driver has its own errors; the reason is what matters
        raise SettingsError(f"{variable}: cannot use the database ({_reason(exc)})") from None


CONNECT_SECONDS = 15


async def _ping(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {CONNECT_SECONDS} s"
    cause = getattr(exc, "orig", None) or exc
    message = " ".join(str(cause).split()) or type(cause).__name__
    return message[:200]


def check_sqlite_file(url: str, variable: str) -> None:
    database = make_url(url).database
    if not database or database == ":memory:":
        return
    path = Path(database).expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SettingsError(f"{variable}: cannot create the folder {path.parent} "
                            f"({exc.strerror or exc})") from None
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise SettingsError(f"{variable}: {path} is not writable by this user")
    check_sqlite_contents(url, variable)


def check_sqlite_contents(url: str, variable: str) -> None:
    """An existing SQLite path that is a folder or another kind of file: no wait will mend it."""
    database = make_url(url).database
    if not database or database == ":memory:":
        return
    path = Path(database).expanduser()
    if path.is_dir():
        raise SettingsError(f"{variable}: {path} is a folder, not a database file")
    if path.is_file():
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
        if header and header != SQLITE_HEADER:
            raise SettingsError(f"{variable}: {path} is not an SQLite database")


# A database that does not answer should fail fast, so the caller can say so and try again.
CONNECT_TIMEOUT = {"asyncpg": {"timeout": 5}, "psycopg": {"connect_timeout": 5},
                   "psycopg_async": {"connect_timeout": 5}}


def make_engine(url: str) -> AsyncEngine:
    with contextlib.suppress(OSError):  # not there yet (a volume): connecting says so, and is retried
        ensure_sqlite_parent(url)
    connect_args = CONNECT_TIMEOUT.get(make_url(url).get_driver_name(), {})
    # Parameters are what people typed: never let an error message or log line carry them.
    engine = create_async_engine(url, pool_pre_ping=not is_sqlite(url), connect_args=connect_args,
                                 hide_parameters=True)
    if is_sqlite(url):
        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def shown_url(url: str) -> str:
    """The URL for a log line or a message, without its password."""
    return make_url(url).render_as_string(hide_password=True)


async def schema_problem(engine: AsyncEngine, url: str) -> str | None:
    """None when the schema is what this version needs, else what to do about it."""
    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    async with engine.connect() as connection:
        current = set(await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_heads()))
    if current == heads:
        return None
    return (f"the schema is at {', '.join(sorted(current)) or 'nothing (empty database)'}, this "
            f"version needs {', '.join(sorted(heads))}: run coachbot db upgrade")


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema at `url` to `revision`. Synchronous: call it outside a running loop."""
    ensure_sqlite_parent(url)
    migration_log = logging.getLogger("alembic")
    if migration_log.getEffectiveLevel() > logging.DEBUG:  # "Context impl SQLiteImpl." is noise
        migration_log.setLevel(logging.WARNING)
    command.upgrade(alembic_config(url), revision)
