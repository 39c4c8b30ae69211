"""Group figures that add up: zones ahead of the group's, mentors, newcomers, CSV dates, the
chart's axis, check-ins by lesson, and sections other features add."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.clock import SimulatedClock
from coachbot.content import Content
from coachbot.conversation import Coach
from coachbot.groups import sections
from coachbot.groups.chart import build_figure
from coachbot.groups.checkins import checkin_figures
from coachbot.groups.insights import insight_lines
from coachbot.groups.report import build_report, write_csv
from coachbot.store.models import CheckInAnswer, Group, Learner, LessonRecord
from tests.conftest import Chat, child_env
from tests.integration.test_mentors import admin, group_row, member


async def learner_in(coach: Coach, user: str, zone: str, lessons: int = 0) -> Chat:
    """A member who onboarded privately in `zone`, did `lessons` lessons, and spoke in the group."""
    chat = Chat(coach, user, timezone=zone)
    await chat.onboard(zone=zone)
    for i in range(lessons):
        if i:
            await chat.say("next")
        await chat.say("done")
    await member(coach, user).say("hi all")
    return chat


async def test_lessons_in_a_zone_ahead_of_the_groups_are_counted(
        coach: Coach, clock: SimulatedClock, sessions: async_sessionmaker[AsyncSession]) -> None:
    clock.set(datetime.fromisoformat("2026-03-02T16:30:00+00:00"))  # 17:30 in Berlin, 01:30 next day in Tokyo
    for user in ("ann", "bob", "cem"):
        await learner_in(coach, user, "Asia/Tokyo", lessons=1)
    text = await admin(coach).say("report")
    assert "Group report: -100 (2026-03-02)" in text  # dated in the group's zone
    assert "Lessons done: 3 in all, 3 in the last 7 days" in text
    async with sessions() as session:
        report = await build_report(session, await group_row(sessions), clock.now())
    assert report.per_day[-1] == (datetime.fromisoformat("2026-03-03").date(), 3)  # Tokyo's day
    assert sum(n for _, n in report.per_day) == report.lessons_done


async def test_mentors_are_not_counted_as_members(coach: Coach) -> None:
    await member(coach, "ann").say("hello")
    configured = Chat(coach, "mentor-mia", platform="console", chat_id="-100", group=True)
    await configured.say("hello, I run this group")
    text = await admin(coach).say("report")
    assert "Members: 1," in text
    assert "Gina" not in text and "Mentor-Mia" not in text


async def test_people_who_just_joined_are_not_listed_as_stuck(coach: Coach, clock: SimulatedClock) -> None:
    await learner_in(coach, "ann", "Europe/Berlin", lessons=1)
    await member(coach, "bob").say("hi, just joined")
    text = await admin(coach).say("report")
    assert "No lesson done in 7 days or more: nobody" in text
    assert "New this week (too soon to count as stuck): Ann, Bob" in text
    clock.advance(timedelta(days=8))
    text = await admin(coach).say("report")
    assert "No lesson done in 7 days or more: Ann, Bob" in text
    assert "New this week" not in text


async def test_csv_dates_are_each_members_local_day_with_the_zone(
        coach: Coach, clock: SimulatedClock, sessions: async_sessionmaker[AsyncSession]) -> None:
    clock.set(datetime.fromisoformat("2026-03-02T16:30:00+00:00"))
    await learner_in(coach, "kenji", "Asia/Tokyo", lessons=1)
    await learner_in(coach, "lena", "Europe/Berlin", lessons=1)
    async with sessions() as session:
        report = await build_report(session, await group_row(sessions), clock.now())
    out = io.StringIO()
    write_csv([report], out)
    rows = {row["member"]: row for row in csv.DictReader(io.StringIO(out.getvalue()))}
    kenji, lena = rows["Kenji"], rows["Lena"]
    assert kenji["timezone"] == "Asia/Tokyo" and lena["timezone"] == "Europe/Berlin"
    assert kenji["joined"] == kenji["last_active"] == kenji["last_lesson"] == "2026-03-03"
    assert lena["joined"] == lena["last_active"] == lena["last_lesson"] == "2026-03-02"


async def test_the_charts_axis_counts_whole_lessons(
        coach: Coach, clock: SimulatedClock, sessions: async_sessionmaker[AsyncSession]) -> None:
    await learner_in(coach, "ann", "Europe/Berlin", lessons=1)
    async with sessions() as session:
        report = await build_report(session, await group_row(sessions), clock.now())
    ticks = [t for t in build_figure(report).axes[0].get_yticks() if t >= 0]
    assert ticks and all(float(t).is_integer() for t in ticks)
    assert 1 in ticks


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "coachbot", *args], input=stdin,
                          capture_output=True, text=True, timeout=120, env=child_env())


def test_report_writes_the_chart_and_the_terminal_saves_it_beside_the_database(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    assert run("chat", "--db", str(db), "--user", "ann", "--group", "demo",
               stdin="start\n\n\n\n1\n").returncode == 0
    chat = run("chat", "--db", str(db), "--user", "mo", "--group", "demo", "--mentor", stdin="report\n")
    assert chat.returncode == 0, chat.stderr
    saved = sorted(tmp_path.glob("group-report-demo-*.png"))
    assert len(saved) == 1 and f"[chart saved to {saved[0]}" in chat.stdout
    assert Image.open(saved[0]).format == "PNG"
    target = tmp_path / "chart.png"
    made = run("report", "--group", "demo", "--png", str(target), "--db", str(db))
    assert made.returncode == 0, made.stderr
    assert f"Wrote the chart of demo to {target}" in made.stdout
    assert Image.open(target).size == (800, 360)
    assert "needs --group" in run("report", "--all", "--png", str(target), "--db", str(db)).stderr


async def test_check_in_figures_by_lesson_most_missed_first(
        coach: Coach, content: Content, sessions: async_sessionmaker[AsyncSession]) -> None:
    answers = {"ann": 1, "bob": 0, "cem": 0, "dan": 2}  # basics-1: choice 1 is the best
    for user, choice in answers.items():
        chat = await learner_in(coach, user, "Europe/Berlin")
        await chat.press(f"answer:basics-1:{choice}")
        if user == "ann":
            await chat.say("next")
            await chat.press("answer:basics-2:0")  # the best answer
    async with sessions() as session:
        group = await group_row(sessions)
        figures = await checkin_figures(session, content, group)
        lines = "\n".join(await insight_lines(session, content, group))
    first, second = figures
    assert (first.lesson_id, first.answered, first.best, first.top_wrong_count) == ("basics-1", 4, 1, 2)
    assert first.top_wrong is not None and first.top_wrong.startswith("Post the same workshop photo")
    assert (second.lesson_id, second.answered, second.best_share) == ("basics-2", 1, 1.0)
    assert lines.index("basics-1") < lines.index("basics-2")
    assert "25%  Post the same workshop photo" in lines
    assert "Questions the FAQ couldn't answer in -100" in lines and "1x hi all" not in lines


async def test_content_insights_on_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    run("chat", "--db", str(db), "--user", "ann", "--group", "demo",
        stdin="start\n\n\n\n\n3\n2\nwhat is love\n")
    everywhere = run("content", "insights", "--db", str(db))
    assert everywhere.returncode == 0, everywhere.stderr
    assert "Check-ins by lesson everywhere, most missed first:" in everywhere.stdout
    assert "basics-1" in everywhere.stdout and "Questions the FAQ couldn't answer" in everywhere.stdout
    grouped = run("content", "insights", "--group", "demo", "--db", str(db))
    assert grouped.returncode == 0 and "in demo" in grouped.stdout
    missing = run("content", "insights", "--group", "nope", "--db", str(db))
    assert missing.returncode == 1 and "Known groups: demo" in missing.stderr


@pytest.fixture
def coaching_section() -> Iterator[list[bool]]:
    """A section source like the coaching features will add; it has data only when told."""
    has_data: list[bool] = []

    async def source(session: AsyncSession, group: Group, member_ids: Select[int],
                     now: datetime) -> sections.Section | None:
        answered = await session.scalar(
            select(CheckInAnswer.id).where(CheckInAnswer.learner_id.in_(member_ids)).limit(1))
        if not has_data or answered is None:
            return None
        return sections.Section("Coaching", (sections.Figure("follow-ups answered", "1 of 2"),))

    sections.register(source)
    yield has_data
    sections.SOURCES.remove(source)


async def test_sections_from_other_features_appear_only_with_data(
        coach: Coach, coaching_section: list[bool]) -> None:
    chat = await learner_in(coach, "ann", "Europe/Berlin")
    await chat.press("answer:basics-1:1")
    assert "Coaching" not in await admin(coach).say("report")  # no data: no section, no zeros
    coaching_section.append(True)
    assert "Coaching: follow-ups answered 1 of 2" in await admin(coach).say("report")


async def test_a_long_streak_is_counted_in_full(
        coach: Coach, clock: SimulatedClock, sessions: async_sessionmaker[AsyncSession]) -> None:
    await learner_in(coach, "ann", "Europe/Berlin")
    async with sessions() as session, session.begin():
        ann = await session.scalar(select(Learner).where(Learner.platform_user_id == "ann"))
        assert ann is not None
        for back in range(45):  # a lesson done every day for the last 45 days
            at = clock.now() - timedelta(days=back)
            session.add(LessonRecord(learner_id=ann.id, track_id="t", lesson_id=f"l{back}",
                                     delivered_at=at, delivered_on=at.date(), completed_at=at,
                                     completed_on=at.date()))
    async with sessions() as session:
        report = await build_report(session, await group_row(sessions), clock.now())
    assert report.members[0].lessons_done == 45 and report.members[0].streak == 45
