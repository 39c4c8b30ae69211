"""App Home: progress, streak, next lesson, track and settings, kept current."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.content import Content
from coachbot.store.models import Learner
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.kit import ANN, Workspace, answer, buttons, dm_of, lessons, onboard, texts


async def learners(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Learner)) or 0)


async def test_a_stranger_sees_a_welcome_and_starts_from_home(
        workspace: Workspace, fake: FakeSlack, sessions: async_sessionmaker[AsyncSession]) -> None:
    home = await workspace.open_home("UBEN")
    assert "Press *Start*" in texts(home["blocks"])
    assert await learners(sessions) == 0  # looking is not signing up
    await workspace.press_home("UBEN", "cmd:start")
    assert "What brings you here?" in fake.posts(dm_of("UBEN"))[-1].args["text"]
    assert fake.called("conversations.open")[-1].args["users"] == "UBEN"


async def test_home_shows_progress_streak_next_lesson_and_settings(
        workspace: Workspace, fake: FakeSlack, content: Content) -> None:
    first = await onboard(workspace, fake)
    await workspace.press(ANN, first, answer(content, first))
    shown = texts((await workspace.open_home(ANN))["blocks"])
    track = content.track("replies")
    assert track is not None
    assert f"*Track*\nReplies that start conversations\n1 of {len(track.lessons)} done" in shown
    assert "*Streak*\n1 day" in shown
    assert "*Next lesson*\nTomorrow at 18:00" in shown
    assert "Daily at 18:00 · Time zone America/New_York · Reminders on" in shown


async def test_home_follows_changes_made_in_the_dm_and_from_its_buttons(
        workspace: Workspace, fake: FakeSlack) -> None:
    await onboard(workspace, fake)
    await workspace.open_home(ANN)
    await workspace.dm(ANN, "time 07:30")
    assert "Daily at 07:30" in texts(workspace.home_of(ANN)["blocks"])  # redrawn without opening

    published = len(fake.called("views.publish"))
    await workspace.dm(ANN, "help")
    assert len(fake.called("views.publish")) == published  # nothing changed, nothing redrawn

    await workspace.press_home(ANN, "cmd:pause")
    assert "Paused. No lessons until you type resume." in fake.posts(dm_of(ANN))[-1].args["text"]
    home = workspace.home_of(ANN)
    assert "Paused: press Resume to continue" in texts(home["blocks"])
    assert "cmd:resume" in [b["value"] for b in buttons(home["blocks"])]

    await workspace.press_home(ANN, "cmd:reminders off")
    assert "Time zone America/New_York · Reminders off" in texts(workspace.home_of(ANN)["blocks"])
    assert "cmd:reminders on" in [b["value"] for b in buttons(workspace.home_of(ANN)["blocks"])]
    assert len(lessons(fake, dm_of(ANN))) == 1
