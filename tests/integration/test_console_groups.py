"""Groups in the terminal demo: members get their lessons, and the dashboard opens beside it."""

from __future__ import annotations

import html
import io
import re
from datetime import datetime

import aiohttp
import pytest
from coachbot_console.simulated import console_chat

from coachbot.bootstrap import App, build
from coachbot.clock import SimulatedClock
from coachbot.content import load_content
from coachbot.faq import LexicalMatcher
from coachbot.settings import Settings
from tests.conftest import FIXTURE_DIR
from tests.dashboard_kit import LINK, SECRET, free_port
from tests.integration.test_delivery_console import lines

START = "2026-03-07T08:00-05:00"


def assemble(settings: Settings, clock: SimulatedClock) -> App:
    content = load_content(FIXTURE_DIR)
    return build(settings, clock, default_zone="America/New_York", content=content,
                 matcher=LexicalMatcher(content.faq))


async def test_a_member_who_started_in_the_group_gets_daily_lessons(database_url: str) -> None:
    clock = SimulatedClock(datetime.fromisoformat(START))
    app = assemble(Settings(database_url=database_url), clock)
    out = io.StringIO()
    script = lines("start", "", "", "", "09:00", "done", "wait 1d")
    console = console_chat(app, "ann", clock, out=out, readline=lambda: next(script), interactive=False,
                           group="demo")
    try:
        await console.run()
    finally:
        await app.close()
    text = out.getvalue()
    assert "[Sun 8 Mar 2026 09:00 (America/New_York)] your daily lesson:" in text
    track = app.content.default_track
    assert f"{track.title} · lesson 2 of {len(track.lessons)}" in text


async def test_the_dashboard_opens_beside_the_terminal_and_its_push_arrives_there(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setenv("COACHBOT_HTTP_HOST", "127.0.0.1")
    monkeypatch.setenv("COACHBOT_HTTP_PORT", str(port))
    base = f"http://127.0.0.1:{port}"
    settings = Settings(database_url=database_url, public_url=base, secret_key=SECRET)
    clock = SimulatedClock(datetime.fromisoformat(START))
    app = assemble(settings, clock)
    out = io.StringIO()
    console = console_chat(app, "mo", clock, out=out, interactive=False, group="demo", mentor=True)
    deliveries = console.deliveries
    assert deliveries is not None
    await deliveries.start()
    try:
        await console.send("dashboard")
        said = out.getvalue()
        assert f"served at {base}/dashboard" in said and "(only you see this) Your dashboard for demo" in said
        found = LINK.search(said)
        assert found
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
            async with browser.post(found.group(0)) as groups:
                page = html.unescape(await groups.text())
            gid = re.search(r'href="/dashboard/groups/(\d+)"', page).group(1)  # type: ignore[union-attr]
            async with browser.get(f"{base}/dashboard/groups/{gid}") as group_page:
                token = re.search(r'name="csrf" value="([^"]+)"', await group_page.text()).group(1)  # type: ignore[union-attr]
            async with browser.post(f"{base}/dashboard/groups/{gid}/push",
                                    data={"csrf": token, "lesson": "habits-1"}) as pushed:
                assert "Queued: lesson habits-1" in html.unescape(await pushed.text())
        await console.send("wait 1m")
        shown = out.getvalue()
        assert "[a group lesson]" in shown and "Small habits that last through busy weeks · lesson 1" in shown
    finally:
        await deliveries.stop()
        await app.close()
