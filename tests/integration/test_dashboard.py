"""The mentors' dashboard over HTTP: signing in with a link, scope, CSRF, refusals, actions."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from coachbot.clock import SimulatedClock
from coachbot.content import Content
from coachbot.conversation import Coach
from coachbot.settings import SettingsError, load_settings
from coachbot.store.models import DashboardSession, Group, OutboxMessage
from tests.conftest import Chat
from tests.dashboard_kit import Served, serve

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
async def served(content: Content, engine: AsyncEngine, clock: SimulatedClock,
                 database_url: str) -> AsyncIterator[Served]:
    async with serve(content, engine, clock, database_url) as running:
        yield running


@pytest.fixture
async def browser() -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client that keeps cookies for 127.0.0.1, as a browser would."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
        yield client


async def read(response: aiohttp.ClientResponse) -> str:
    """The page's text with HTML entities turned back into characters."""
    return html.unescape(await response.text())


async def sign_in(served: Served, browser: aiohttp.ClientSession, user: str = "gina",
                  group: str = "-100") -> str:
    """Open a fresh link and press its button; returns the groups page."""
    link = await served.link(user, group)
    async with browser.get(link) as page:
        assert page.status == 200 and "Open the dashboard" in await read(page)
    async with browser.post(link) as opened:
        assert opened.status == 200 and str(opened.url).endswith("/dashboard")
        return await read(opened)


async def group_id(sessions: async_sessionmaker[AsyncSession], chat_id: str = "-100") -> int:
    async with sessions() as session:
        found = await session.scalar(select(Group.id).where(Group.chat_id == chat_id))
        assert found is not None
        return found


async def test_a_mentor_signs_in_with_the_link_from_the_chat(
        served: Served, browser: aiohttp.ClientSession, sessions: async_sessionmaker[AsyncSession]) -> None:
    await served.member("ann").say("hello")
    link = await served.link()
    assert link.startswith(served.base + "/dashboard/open/")
    async with browser.get(link) as page:  # a chat app's link preview: nothing is used up
        assert "Open the dashboard" in await read(page)
    async with browser.post(link, allow_redirects=False) as opened:
        assert opened.status == 303 and opened.headers["Location"] == "/dashboard"
        cookie = opened.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/dashboard" in cookie
    assert "Secure" not in cookie  # plain http on this machine; see the HTTPS test
    async with browser.get(served.base + "/dashboard") as groups:
        text = await read(groups)
    assert groups.status == 200 and "Your groups" in text
    assert f'href="/dashboard/groups/{await group_id(sessions)}"' in text
    assert groups.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in groups.headers["Content-Security-Policy"]


async def test_links_are_refused_when_replayed_forged_or_expired(
        served: Served, browser: aiohttp.ClientSession, clock: SimulatedClock) -> None:
    link = await served.link()
    async with browser.post(link) as first:
        assert first.status == 200
    async with browser.post(link) as again:
        assert again.status == 410 and "already used" in await read(again)
    forged = link[:-3] + ("abc" if not link.endswith("abc") else "xyz")
    async with browser.get(forged) as page:
        text = await read(page)
    assert page.status == 403 and "isn't valid" in text and "Type dashboard" in text
    stale = await served.link()
    clock.advance(timedelta(hours=24, minutes=1))
    async with browser.get(stale) as page:
        assert page.status == 410 and "expired" in await read(page)


async def test_repeated_bad_links_from_one_address_are_slowed_down(
        served: Served, browser: aiohttp.ClientSession, clock: SimulatedClock) -> None:
    forged = served.base + "/dashboard/open/not-a-real-link"
    for _ in range(3):
        async with browser.get(forged) as page:
            assert page.status == 403
    async with browser.get(forged) as slowed:
        assert slowed.status == 429 and slowed.headers["Retry-After"] == "5"
        assert "Try again in 5 seconds" in await read(slowed)
    good = await served.link()
    async with browser.get(good) as held:  # even a good link waits: the address is not trusted now
        assert held.status == 429
    clock.advance(timedelta(seconds=6))
    async with browser.get(good) as page:
        assert page.status == 200


async def test_a_session_sees_only_the_groups_its_mentor_runs(
        served: Served, browser: aiohttp.ClientSession, sessions: async_sessionmaker[AsyncSession]) -> None:
    await served.mentor("olga", group="-200").say("report")  # someone else's group
    await sign_in(served, browser)
    other = await group_id(sessions, "-200")
    async with browser.get(f"{served.base}/dashboard/groups/{other}") as page:
        assert page.status == 403 and "Not one of your groups" in await read(page)
    async with browser.post(f"{served.base}/dashboard/groups/{other}/push", data={"lesson": "next"}) as push:
        assert push.status == 403
    async with browser.get(f"{served.base}/dashboard/groups/{await group_id(sessions)}") as mine:
        assert mine.status == 200


async def test_without_a_session_every_page_asks_for_a_link(
        served: Served, browser: aiohttp.ClientSession, sessions: async_sessionmaker[AsyncSession]) -> None:
    await served.mentor().say("report")
    gid = await group_id(sessions)
    for url in ("/dashboard", f"/dashboard/groups/{gid}"):
        async with browser.get(served.base + url) as page:
            text = await read(page)
        assert page.status == 401 and "not signed in" in text and "Type dashboard" in text
    browser.cookie_jar.update_cookies({"coachbot_dashboard": "guessed"})
    async with browser.get(served.base + "/dashboard") as page:
        assert page.status == 401


async def test_forms_need_the_sessions_csrf_token_and_our_origin(
        served: Served, browser: aiohttp.ClientSession, sessions: async_sessionmaker[AsyncSession]) -> None:
    await sign_in(served, browser)
    gid = await group_id(sessions)
    url = f"{served.base}/dashboard/groups/{gid}/push"
    async with browser.post(url, data={"lesson": "next"}) as missing:
        assert missing.status == 403 and "Form expired" in await read(missing)
    async with browser.post(url, data={"lesson": "next", "csrf": "naïve-guess"}) as odd:
        assert odd.status == 403
    async with browser.get(f"{served.base}/dashboard/groups/{gid}") as page:
        found = CSRF.search(await read(page))
    assert found
    token = found.group(1)
    async with browser.post(url, data={"lesson": "next", "csrf": token},
                            headers={"Origin": "https://evil.example"}) as foreign:
        assert foreign.status == 403 and "another website" in await read(foreign)
    async with sessions() as session:
        assert list(await session.scalars(select(OutboxMessage))) == []  # nothing was pushed
    async with browser.post(url, data={"lesson": "next", "csrf": token},
                            headers={"Origin": served.base}) as pushed:
        assert pushed.status == 200 and "Queued: lesson basics-1" in await read(pushed)


async def test_actions_go_through_the_chat_commands_rules_and_say_what_happened(
        served: Served, browser: aiohttp.ClientSession, sessions: async_sessionmaker[AsyncSession]) -> None:
    queued = served.coach.queued
    await served.member("ann").say("hello")
    await sign_in(served, browser)
    gid = await group_id(sessions)
    page_url = f"{served.base}/dashboard/groups/{gid}"
    async with browser.get(page_url) as page:
        token = CSRF.search(await read(page)).group(1)  # type: ignore[union-attr]

    async def post(action: str, **form: str) -> str:
        async with browser.post(f"{page_url}/{action}", data={"csrf": token, **form}) as answer:
            assert answer.status == 200
            return await read(answer)

    assert "Queued: lesson replies-2 goes out" in await post("push", lesson="replies-2")
    assert queued.pending  # a running scheduler sends it now
    await queued.heard()
    assert "already pushed to this group today" in await post("push", lesson="replies-2")
    assert "no lesson 'nope-1'" in await post("push", lesson="nope-1")
    assert not queued.pending  # refusals queue nothing
    await served.town.service.step()
    sent = served.town.messenger.to("-100")
    assert [o.reply.lesson.lesson_id for o in sent if o.reply.lesson] == ["replies-2"]

    assert "couldn't read that as a time" in await post("schedule", time="25:00")
    text = await post("schedule", time="08:30", zone="Tokyo", track="habits")
    assert "every day at 08:30 (Asia/Tokyo) from Small habits that last through busy weeks" in text
    assert "A group lesson every day at 08:30 (Asia/Tokyo)" in text  # shown as set
    assert "Weekly digest on" in await post("digest", weekday="friday", time="17:00")
    async with sessions() as session:
        group = await session.get(Group, gid)
        assert group is not None
        assert (group.schedule_time, group.timezone, group.schedule_track) == (
            "08:30", "Asia/Tokyo", "habits")
        assert (group.digest_weekday, group.digest_time) == (4, "17:00")
    assert "Group schedule off" in await post("schedule", stop="1")
    assert "Weekly digest off" in await post("digest", stop="1")
    async with browser.get(page_url) as reloaded:  # the answer is shown once, not on every visit
        assert "Weekly digest off" not in await read(reloaded)


async def test_revoke_and_forget_end_the_sessions(
        served: Served, browser: aiohttp.ClientSession, sessions: async_sessionmaker[AsyncSession]) -> None:
    await sign_in(served, browser)
    unused = await served.link()
    gina = served.mentor()
    answer = await gina.say("dashboard revoke")
    assert "1 dashboard session ended and 1 unused link cancelled" in answer and gina.last[0].private
    async with browser.get(served.base + "/dashboard") as page:
        assert page.status == 401
    async with browser.get(unused) as page:
        assert page.status == 410 and "cancelled" in await read(page)
    await sign_in(served, browser)
    private = Chat(served.coach, "gina")
    await private.say("forget")
    await private.say("yes")
    async with browser.get(served.base + "/dashboard") as page:
        assert page.status == 401
    async with sessions() as session:
        assert list(await session.scalars(select(DashboardSession))) == []


async def test_the_group_page_shows_figures_but_no_member_data_in_links_or_logs(
        served: Served, browser: aiohttp.ClientSession, sessions: async_sessionmaker[AsyncSession],
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="coachbot")
    ann = Chat(served.coach, "ann-zimmer")
    await ann.onboard()
    first = served.coach.content.default_track.lessons[0]
    wrong = next(i for i, choice in enumerate(first.checkin.choices) if not choice.best)
    await ann.press(f"answer:{first.id}:{wrong}")
    await served.member("ann-zimmer").say("how do i boil eggs soft")
    await sign_in(served, browser)
    gid = await group_id(sessions)
    async with browser.get(f"{served.base}/dashboard/groups/{gid}") as page:
        text = await read(page)
    assert "Ann-Zimmer" in text and "Check-ins by lesson" in text
    assert html.escape(first.title) in text and "0%" in text  # nobody chose the best answer
    assert "1×</span> how do i boil eggs soft" in text
    hrefs = re.findall(r'(?:href|action|src)="([^"]*)"', text)
    assert hrefs and not [h for h in hrefs if "ann" in h.lower() or "zimmer" in h.lower()]
    token = CSRF.search(text).group(1)  # type: ignore[union-attr]
    async with browser.post(f"{served.base}/dashboard/groups/{gid}/push",
                            data={"csrf": token, "lesson": "next"}) as pushed:
        assert pushed.status == 200
    logged = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("coachbot")).lower()
    assert f"dashboard: push on group {gid}: done" in logged
    assert "zimmer" not in logged and "dashboard/open/" not in logged


async def test_large_groups_are_paged(
        served: Served, browser: aiohttp.ClientSession, sessions: async_sessionmaker[AsyncSession]) -> None:
    for i in range(105):
        await served.member(f"m{i:03d}").say("hi")
    await sign_in(served, browser)
    url = f"{served.base}/dashboard/groups/{await group_id(sessions)}"
    async with browser.get(url) as first:
        text = await read(first)
    assert "105 of 105 members, page 1 of 2" in text and text.count('<tr data-name="') == 100
    async with browser.get(url + "?sort=name&dir=desc&show=all&page=2") as second:
        text = await read(second)
    assert text.count('<tr data-name="') == 5 and "M004" in text and "M104" not in text
    async with browser.get(url + "?sort=nonsense&page=-3") as odd:  # an edited address still works
        assert odd.status == 200


async def test_https_sessions_get_a_secure_cookie(
        content: Content, engine: AsyncEngine, clock: SimulatedClock,
        database_url: str, browser: aiohttp.ClientSession) -> None:
    async with serve(content, engine, clock, database_url, "https://coach.example.org") as served:
        link = await served.link()
        assert link.startswith("https://coach.example.org/dashboard/open/")
        local = served.base + link.removeprefix("https://coach.example.org")  # as the proxy forwards it
        async with browser.post(local, allow_redirects=False) as opened:
            assert opened.status == 303 and "Secure" in opened.headers["Set-Cookie"]


async def test_the_dashboard_command_refuses_members_privately(served: Served) -> None:
    ann = served.member("ann")
    assert "Only this group's mentors can use dashboard" in await ann.say("dashboard")
    assert ann.last[0].private
    private = Chat(served.coach, "ann")
    assert "The dashboard is for the mentors of a group" in await private.say("dashboard")
    await served.mentor().say("report")
    in_private = Chat(served.coach, "gina")
    assert "Your dashboard for -100: http" in await in_private.say("dashboard")
    assert in_private.last[0].private


async def test_without_a_public_url_the_command_says_how_to_switch_it_on(coach: Coach) -> None:
    gina = Chat(coach, "gina", chat_id="-100", group=True, admin=True)
    answer = await gina.say("dashboard")
    assert "COACHBOT_PUBLIC_URL" in answer and "COACHBOT_SECRET_KEY" in answer and gina.last[0].private


def test_dashboard_settings_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACHBOT_PUBLIC_URL", "https://coach.example.org/")
    monkeypatch.delenv("COACHBOT_SECRET_KEY", raising=False)
    with pytest.raises(SettingsError, match="COACHBOT_SECRET_KEY: required when COACHBOT_PUBLIC_URL"):
        load_settings()
    monkeypatch.setenv("COACHBOT_SECRET_KEY", "short")
    with pytest.raises(SettingsError, match=r"COACHBOT_SECRET_KEY: too short \(5 characters\)"):
        load_settings()
    monkeypatch.setenv("COACHBOT_SECRET_KEY", "x" * 40)
    assert load_settings().public_url == "https://coach.example.org"
    monkeypatch.setenv("COACHBOT_PUBLIC_URL", "coach.example.org")
    with pytest.raises(SettingsError, match=r"COACHBOT_PUBLIC_URL=coach\.example\.org: expected an http"):
        load_settings()


async def test_a_forgotten_member_leaves_the_page_at_once(
        served: Served, browser: aiohttp.ClientSession, sessions: async_sessionmaker[AsyncSession]) -> None:
    ann = Chat(served.coach, "ann")
    await ann.onboard()
    await served.member("ann").say("hello")
    await served.member("bob").say("hello")
    await sign_in(served, browser)
    url = f"{served.base}/dashboard/groups/{await group_id(sessions)}"
    async with browser.get(url) as page:
        assert "Ann" in await read(page)
    await ann.say("forget")
    await ann.say("yes")
    async with browser.get(url) as page:
        text = await read(page)
    assert "Ann" not in text and "1 of 1 members" in text
