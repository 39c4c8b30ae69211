"""The terminal shows scheduled lessons, and on a simulated clock `wait` moves time forward."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from coachbot_console.simulated import console_chat
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.bootstrap import App, build
from coachbot.clock import SimulatedClock
from coachbot.content import Content, load_content
from coachbot.faq import LexicalMatcher
from coachbot.settings import Settings
from coachbot.store.models import Learner
from tests.conftest import FIXTURE_DIR, child_env
from tests.delivery_kit import add_learners


def lines(*typed: str) -> Iterator[str]:
    yield from (f"{line}\n" for line in typed)
    while True:
        yield ""


def assemble(database_url: str, clock: SimulatedClock | None) -> App:
    """The composition root's App, with the lexical FAQ matcher (quick to build)."""
    settings = Settings(database_url=database_url)
    content = load_content(FIXTURE_DIR)
    return build(settings, clock, default_zone="America/New_York", content=content,
                 matcher=LexicalMatcher(content.faq))


async def converse(database_url: str, now: str | None, *typed: str) -> str:
    clock = SimulatedClock(datetime.fromisoformat(now)) if now else None
    app = assemble(database_url, clock)
    out = io.StringIO()
    script = lines(*typed)
    console = console_chat(app, "ann", clock, out=out, readline=lambda: next(script), interactive=False)
    try:
        await console.run()
    finally:
        await app.close()
    return out.getvalue()


async def test_wait_prints_lessons_and_reminders_in_order(database_url: str, content: Content) -> None:
    text = await converse(database_url, "2026-03-07T08:00-05:00", "start", "", "", "", "09:00",
                          "wait 1d", "wait 3h")
    reminder = text.index("[Sat 7 Mar 2026 12:00 (America/New_York)] a reminder:")
    lesson = text.index("[Sun 8 Mar 2026 09:00 (America/New_York)] your daily lesson:")
    waited = text.index("(Waited 1d: it's now Sun 8 Mar 2026 09:00 (America/New_York); "
                        "2 messages arrived.)")
    assert reminder < lesson < waited
    week = content.default_track
    # The first lesson is still open, so the day's message says it waits rather than replace it.
    assert f'"{week.lessons[0].title}" is still waiting for you' in text[lesson:waited]
    assert "(Waited 3h: it's now Sun 8 Mar 2026 12:00 (America/New_York); nothing arrived.)" in text


async def test_the_next_run_picks_up_where_the_clock_says(database_url: str) -> None:
    await converse(database_url, "2026-03-07T08:00-05:00", "start", "", "", "", "09:00", "done")
    later = await converse(database_url, "2026-03-09T10:30-04:00", "progress")
    assert "[Mon 9 Mar 2026 10:30 (America/New_York)] your daily lesson:" in later  # today's, once
    assert later.count("your daily lesson:") == 1
    assert "Sun 8 Mar" not in later  # the missed day is not sent late


async def test_wait_explains_itself(database_url: str) -> None:
    text = await converse(database_url, "2026-03-07T08:00-05:00", "wait", "wait 500d", "wait 0m")
    assert "How long should I wait? For example: wait 90m" in text
    assert "I couldn't read '500d' as a duration up to 400 days" in text
    assert "I couldn't read '0m' as a duration" in text
    real = await converse(database_url, None, "wait 3h")
    assert "wait only works on a simulated clock" in real
    assert "coachbot chat --now 2026-03-07T08:00-05:00" in real


async def test_a_sentence_starting_with_wait_goes_to_the_coach(database_url: str) -> None:
    text = await converse(database_url, "2026-03-07T08:00-05:00", "wait what does this bot do",
                          "wait forever")
    assert "Waited" not in text and "as a duration" not in text
    assert "How long should I wait" not in text and "wait only works" not in text
    assert text.count("coach>") >= 2 or text.count("\n\n") >= 2  # both lines were answered


def run_chat(db: Path, *args: str, typed: list[str]) -> subprocess.CompletedProcess[str]:
    env = child_env(TZ="Europe/Lisbon")
    return subprocess.run([sys.executable, "-m", "coachbot", "chat", "--db", str(db), "--user", "ann",
                           *args], input="\n".join(typed) + "\n", capture_output=True, text=True,
                          timeout=120, env=env)


def test_chat_now_without_offset_uses_the_machine_zone(tmp_path: Path) -> None:
    result = run_chat(tmp_path / "c.db", "--now", "2026-03-07T08:00",
                      typed=["start", "", "", "", "", "wait 90m"])
    assert result.returncode == 0, result.stderr
    assert "(Waited 90m: it's now Sat 7 Mar 2026 09:30 (Europe/Lisbon); nothing arrived.)" in result.stdout
    bad = run_chat(tmp_path / "c.db", "--now", "tomorrowish", typed=[])
    assert bad.returncode == 2
    assert "--now 'tomorrowish' is not an ISO 8601 date and time" in bad.stderr


async def test_on_the_real_clock_lessons_appear_while_the_chat_waits_for_input(
        database_url: str, sessions: async_sessionmaker[AsyncSession], content: Content) -> None:
    # Onboarded earlier, daily at 00:00 UTC (a chosen night-time, so never held back): today's
    # lesson is due whenever this runs, and the background scheduler prints it unasked.
    await add_learners(sessions, 1, platform="console", zone="UTC", at="00:00",
                       now=datetime.now(UTC) - timedelta(days=1), prefix="console:ann")
    async with sessions() as session, session.begin():
        await session.execute(update(Learner).values(platform_user_id="ann", chat_id="console:ann"))
    app = assemble(database_url, None)
    out = Terminal()

    def readline() -> str:  # the person types nothing until the lesson has appeared
        out.lesson_shown.wait(60)
        return ""

    console = console_chat(app, "ann", out=out, readline=readline, interactive=False)
    try:
        await console.run()
    finally:
        await app.close()
    assert out.lesson_shown.is_set()
    assert "(UTC)] your daily lesson:" in out.getvalue()
    week = content.default_track
    assert f"{week.title} · lesson 1 of {len(week.lessons)}" in out.getvalue()


class Terminal(io.StringIO):
    """A terminal that notices when a scheduled lesson is printed on it."""

    def __init__(self) -> None:
        super().__init__()
        self.lesson_shown = threading.Event()

    def write(self, text: str) -> int:
        if "your daily lesson:" in text:
            self.lesson_shown.set()
        return super().write(text)
