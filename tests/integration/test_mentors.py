"""Mentors and groups: who may steer a group, reports, CSV and chart, privacy."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.clock import SimulatedClock
from coachbot.conversation import Coach
from coachbot.groups.report import CSV_COLUMNS, build_report, write_csv
from coachbot.store.models import FaqMiss, Group, Membership
from tests.conftest import Chat, child_env

WAIT = 15.0  # seconds before a test gives up on a send; a hang fails instead of blocking
MENTOR_COMMANDS = ["push next", "schedule 09:00", "report", "digest monday 09:00"]


def member(coach: Coach, user: str, group: str = "-100") -> Chat:
    return Chat(coach, user, chat_id=group, group=True)


def admin(coach: Coach, user: str = "gina", group: str = "-100") -> Chat:
    return Chat(coach, user, chat_id=group, group=True, admin=True)


async def group_row(sessions: async_sessionmaker[AsyncSession], chat_id: str = "-100") -> Group:
    async with sessions() as session:
        group = await session.scalar(select(Group).where(Group.chat_id == chat_id))
        assert group is not None
        return group


async def exported(sessions: async_sessionmaker[AsyncSession], clock: SimulatedClock) -> tuple[int, str]:
    """The group's CSV export: rows written and the text."""
    async with sessions() as session:
        figures = await build_report(session, await group_row(sessions), clock.now())
    out = io.StringIO()
    return write_csv([figures], out), out.getvalue()


@pytest.mark.parametrize("command", MENTOR_COMMANDS)
async def test_non_mentors_are_refused_politely(coach: Coach, command: str) -> None:
    reply = await member(coach, "ann").say(command)
    assert "Only this group's mentors can use" in reply
    assert "admins" in reply and "settings" in reply


@pytest.mark.parametrize("command", MENTOR_COMMANDS)
async def test_mentor_commands_need_a_group(coach: Coach, command: str) -> None:
    reply = await Chat(coach, "mentor-mia", platform="console").say(command)
    assert "works in a group chat you mentor" in reply


async def test_configured_mentors_and_chat_admins_may_report(coach: Coach) -> None:
    configured = Chat(coach, "mentor-mia", platform="console", chat_id="demo", group=True)
    assert "Group report: demo" in await configured.say("report")
    assert "Group report: -100" in await admin(coach).say("report")


async def test_members_are_learners_who_talk_in_the_group(
        coach: Coach, sessions: async_sessionmaker[AsyncSession]) -> None:
    await member(coach, "ann").say("hello there")
    await member(coach, "bob").say("progress")
    await member(coach, "ann", group="-200").say("tracks")
    async with sessions() as session:
        rows = (await session.execute(select(Membership))).all()
    assert len(rows) == 3  # ann is in two groups, with one progress record
    report = await admin(coach).say("report")
    assert "Members: 2" in report  # gina, the admin asking, is a mentor of it, not a member


async def test_a_learner_in_two_groups_keeps_one_progress(coach: Coach) -> None:
    private = Chat(coach, "ann")
    await private.onboard()
    await private.say("done")
    await member(coach, "ann", "-100").say("progress")
    await member(coach, "ann", "-200").say("progress")
    for group in ("-100", "-200"):
        report = await admin(coach, group=group).say("report")
        assert "Lessons done: 1 in all" in report
    assert f"1 of {len(coach.content.default_track.lessons)} lessons done" in await private.say("progress")


async def test_report_figures_streaks_stuck_and_unreachable(
        coach: Coach, clock: SimulatedClock, sessions: async_sessionmaker[AsyncSession]) -> None:
    ann, bob, cem = Chat(coach, "ann"), Chat(coach, "bob"), Chat(coach, "cem")
    for learner in (ann, bob, cem):
        await learner.onboard()
        await member(coach, learner.user).say("hi all")
    for _ in range(3):
        await ann.say("done")
        clock.advance(timedelta(days=1))
        await ann.say("next")
    await bob.say("done")
    clock.advance(timedelta(days=8))
    await ann.say("done")
    async with sessions() as session, session.begin():
        learner = await coach_learner(session, "cem")
        learner.unreachable = True
    text = await admin(coach).say("report")
    assert "Members: 3, active in the last 7 days: 1" in text  # ann; gina is their mentor
    assert "Lessons done: 5 in all, 1 in the last 7 days" in text
    assert "Ann 1d" in text
    assert "No lesson done in 7 days or more: Bob\n" in text
    assert "Unreachable (blocked the bot or left): Cem" in text


async def coach_learner(session: AsyncSession, user: str):  # type: ignore[no-untyped-def]
    from coachbot.store.models import Learner

    return await session.scalar(select(Learner).where(Learner.platform_user_id == user))


async def test_report_comes_with_a_real_chart(coach: Coach) -> None:
    await member(coach, "ann").say("hello")
    chat = admin(coach)
    await chat.say("report")
    image = chat.last[0].image
    assert image is not None and 5_000 < len(image) < 500_000
    picture = Image.open(io.BytesIO(image))
    assert picture.format == "PNG" and picture.size == (800, 360)


async def test_top_unanswered_questions_never_name_who_asked(
        coach: Coach, sessions: async_sessionmaker[AsyncSession], clock: SimulatedClock) -> None:
    async with sessions() as session, session.begin():
        for text in ("how do i buy followers", "how do i buy followers", "best hashtags"):
            session.add(FaqMiss(learner_id=None, chat_id="-100", question=text,
                                normalised=text, asked_at=clock.now()))
    await member(coach, "zed").say("hello")
    report = await admin(coach).say("report")
    assert "2x how do i buy followers" in report and "1x best hashtags" in report
    assert "zed" not in report.split("couldn't answer")[1].lower()


async def test_forget_removes_the_learner_from_reports_and_export(
        coach: Coach, sessions: async_sessionmaker[AsyncSession], clock: SimulatedClock) -> None:
    ann = Chat(coach, "ann")
    await ann.onboard()
    await ann.say("done")
    await member(coach, "ann").say("hi")
    await member(coach, "bob").say("hi")
    await ann.say("forget")
    await ann.say("yes")
    report = await admin(coach).say("report")
    assert "Ann" not in report and "Members: 1" in report
    rows, text = await exported(sessions, clock)
    assert rows == 1 and "Ann" not in text


async def test_csv_has_a_header_iso_dates_and_unicode_names(
        coach: Coach, sessions: async_sessionmaker[AsyncSession], clock: SimulatedClock) -> None:
    zoe = Chat(coach, "zoë-ürsula")
    await zoe.onboard()
    await zoe.say("done")
    await member(coach, "zoë-ürsula").say("hi")
    count, text = await exported(sessions, clock)
    assert count == 1
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[0]["member"] == "Zoë-Ürsula"
    assert rows[0]["joined"] == "2026-03-02" and rows[0]["last_lesson"] == "2026-03-02"
    assert rows[0]["lessons_done"] == "1" and rows[0]["current_streak_days"] == "1"


async def test_schedule_and_digest_settings_with_clear_errors(
        coach: Coach, sessions: async_sessionmaker[AsyncSession]) -> None:
    gina = admin(coach)
    assert "couldn't read that as a time" in await gina.say("schedule 25:00")
    assert "no track 'nope'" in await gina.say("schedule 09:00 track nope")
    assert "don't know the time zone 'Mars'" in await gina.say("schedule 09:00 Mars")
    done = await gina.say("schedule 08:30 Europe/Berlin track habits")
    assert "every day at 08:30 (Europe/Berlin) from Small habits that last through busy weeks" in done
    assert "lesson 1: Start smaller than you think" in done
    assert "Use digest <weekday> HH:MM" in await gina.say("digest someday 09:00")
    assert "every Friday at 17:00" in await gina.say("digest fri 17:00")
    group = await group_row(sessions)
    assert (group.schedule_time, group.timezone, group.schedule_track) == (
        "08:30", "Europe/Berlin", "habits")
    assert (group.digest_weekday, group.digest_time) == (4, "17:00")
    assert "schedule off" in (await gina.say("schedule off")).lower()
    assert "Weekly digest off" in await gina.say("digest off")
    group = await group_row(sessions)
    assert group.schedule_time is None and group.digest_weekday is None


def test_report_command_line_exports_csv(tmp_path: Path) -> None:
    db = tmp_path / "coach.db"
    script = "start\n\n\n\n1\nhello group\n"
    for user, flags in (("ann", []), ("mo", ["--mentor"])):
        subprocess.run([sys.executable, "-m", "coachbot", "chat", "--db", str(db), "--user", user,
                        "--group", "demo", *flags], input=script if user == "ann" else "report\n",
                       capture_output=True, text=True, timeout=120, check=True, env=child_env())
    text = subprocess.run([sys.executable, "-m", "coachbot", "report", "--group", "demo", "--db",
                           str(db)], capture_output=True, text=True, timeout=120, env=child_env())
    assert text.returncode == 0, text.stderr
    assert "Group report: demo" in text.stdout and "Members: 1" in text.stdout  # mo mentors it
    target = tmp_path / "all.csv"
    export = subprocess.run([sys.executable, "-m", "coachbot", "report", "--all", "--csv",
                             str(target), "--db", str(db)], capture_output=True, text=True,
                            timeout=120, env=child_env())
    assert export.returncode == 0, export.stderr
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a UTF-8 mark, so spreadsheets pick the encoding
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {r["member"] for r in rows} == {"ann"} and rows[0]["group"] == "demo"
    missing = subprocess.run([sys.executable, "-m", "coachbot", "report", "--group", "nope",
                              "--db", str(db)], capture_output=True, text=True, timeout=120,
                             env=child_env())
    assert missing.returncode == 1 and "Known groups: demo" in missing.stderr


async def test_push_sends_a_lesson_to_the_group_once_through_the_outbox(
        coach: Coach, clock: SimulatedClock, sessions: async_sessionmaker[AsyncSession]) -> None:
    from tests.delivery_kit import Town, rows

    town = Town(coach, clock)
    gina = admin(coach)
    queued = await gina.say("push next")
    assert "Queued: lesson basics-1" in queued
    assert "basics-2" in await gina.say("push next")  # next moves on
    assert "already pushed to this group today" in await gina.say("push basics-1")
    assert "no lesson 'nope-9'" in await gina.say("push nope-9")
    await town.service.step()
    await town.service.step()
    sent = town.messenger.to("-100")
    assert [o.reply.lesson.lesson_id for o in sent if o.reply.lesson] == ["basics-1", "basics-2"]
    assert all(o.is_group for o in sent)
    assert {r.status for r in await rows(sessions)} == {"sent"}




async def test_a_scheduled_group_gets_one_lesson_a_day_at_its_local_time(
        coach: Coach, clock: SimulatedClock) -> None:
    from tests.delivery_kit import Town

    town = Town(coach, clock)  # the clock starts on Monday 2 March, 12:00 UTC (13:00 in Berlin)
    reply = await admin(coach).say("schedule 09:30 Europe/Berlin track habits")
    assert "starting tomorrow" in reply  # today's 09:30 has passed: no surprise lesson now
    await town.wait(timedelta(days=3))
    sent = [o for o in town.messenger.to("-100") if o.metadata.get("kind") == "group_lesson"]
    assert [o.reply.lesson.lesson_id for o in sent if o.reply.lesson] == [
        "habits-1", "habits-2", "habits-3"]
    assert all(not o.reply.choices for o in sent)  # check-ins stay private
    assert all("message me privately" in o.reply.text for o in sent)
    await admin(coach).say("schedule off")
    await town.wait(timedelta(days=2))
    assert len([o for o in town.messenger.to("-100") if o.metadata.get("kind") == "group_lesson"]) == 3


async def test_the_weekly_digest_posts_the_report_with_its_chart(coach: Coach, clock: SimulatedClock) -> None:
    from tests.delivery_kit import Town

    town = Town(coach, clock)
    await member(coach, "ann").say("hello")
    assert "every Wednesday at 17:00" in await admin(coach).say("digest wednesday 17:00")
    await town.wait(timedelta(days=8))
    digests = [o for o in town.messenger.to("-100") if o.metadata.get("kind") == "digest"]
    assert len(digests) == 1  # Wednesday 4 March; the next one is on the 11th
    assert digests[0].reply.text.startswith("Weekly digest\nGroup report: -100")
    assert digests[0].reply.image is not None and digests[0].reply.image[:4] == b"\x89PNG"
    await town.wait(timedelta(days=2))  # past Wednesday 11 March, 17:00 in Berlin
    assert len([o for o in town.messenger.to("-100") if o.metadata.get("kind") == "digest"]) == 2


async def test_a_migrated_group_keeps_its_members_and_its_schedule(
        coach: Coach, clock: SimulatedClock, sessions: async_sessionmaker[AsyncSession]) -> None:
    from coachbot.delivery.ports import ChatMoved
    from tests.delivery_kit import Town

    town = Town(coach, clock)
    await member(coach, "ann").say("hello")
    await admin(coach).say("push next")
    town.messenger.answer("-100", ChatMoved("-1009"))
    await town.service.step()
    assert [o.chat_id for o in town.messenger.sent] == ["-1009"]
    group = await group_row(sessions, "-1009")
    report = await admin(coach, group="-1009").say("report")
    assert group.active and "Members: 1" in report


async def test_a_group_that_removed_the_bot_gets_nothing_more(
        coach: Coach, clock: SimulatedClock, sessions: async_sessionmaker[AsyncSession]) -> None:
    from coachbot.delivery.ports import RecipientGone
    from tests.delivery_kit import Town

    town = Town(coach, clock)
    await admin(coach).say("schedule 13:30 Europe/Berlin")
    town.messenger.answer("-100", RecipientGone("bot was kicked from the group chat"))
    await town.wait(timedelta(hours=1))
    assert not (await group_row(sessions)).active
    await town.wait(timedelta(days=2))
    assert town.messenger.sent == []


async def test_display_names_cannot_become_spreadsheet_formulas(
        coach: Coach, sessions: async_sessionmaker[AsyncSession], clock: SimulatedClock) -> None:
    names = ["=HYPERLINK(\"http://x.example\",\"click\")", "@SUM(A1:A9)", "+1", "-2", "\tTab",
             "\rCR", "Plain"]
    for i, name in enumerate(names):
        await Chat(coach, f"user{i}", chat_id="-100", group=True, display_name=name).say("hello")
    _, text = await exported(sessions, clock)
    rows = list(csv.reader(io.StringIO(text)))
    shown = {row[CSV_COLUMNS.index("member")] for row in rows[1:]}
    assert shown == {"'" + name for name in names[:-1]} | {"Plain"}
