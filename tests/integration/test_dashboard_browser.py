"""The dashboard in a real browser: the system's Chromium, driven by Playwright.

Screenshots of the group page (a desktop and a phone width) are written to .artifacts/
(ignored by git) for a person to look at.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect
from sqlalchemy.ext.asyncio import AsyncEngine

from coachbot.clock import SimulatedClock
from coachbot.content import Content
from tests.conftest import ROOT, Chat
from tests.dashboard_kit import Served, serve

CHROMIUM = "/usr/bin/chromium"  # Debian's package; .ci/run installs it when missing
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / ".artifacts"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def served(content: Content, engine: AsyncEngine, clock: SimulatedClock,
                 database_url: str) -> AsyncIterator[Served]:
    async with serve(content, engine, clock, database_url) as running:
        yield running


async def learners_with_lessons(served: Served, done: dict[str, int]) -> None:
    """Members who onboarded privately, did `count` lessons each, and said hello in the group."""
    for user, count in done.items():
        chat = Chat(served.coach, user)
        await chat.onboard()
        for i in range(count):
            if i:
                await chat.say("next")
            await chat.say("done")
        await served.member(user).say("hello everyone")


async def sign_in(page: Page, link: str) -> None:
    await page.goto(link)
    await page.get_by_role("button", name="Open the dashboard").click()
    await expect(page.get_by_role("heading", name="Your groups")).to_be_visible()


async def names(page: Page) -> list[str]:
    cells = page.locator("table.members tbody td[data-label=Name]")
    return [text.strip() for text in await cells.all_inner_texts()]


async def test_a_mentor_reads_sorts_and_pushes_from_the_group_page(browser: Browser, served: Served) -> None:
    await learners_with_lessons(served, {"cem": 0, "ann": 3, "bob": 1})
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await sign_in(page, await served.link())
    await page.get_by_role("link", name="-100").click()
    await expect(page.get_by_role("heading", name="-100", exact=True)).to_be_visible()
    assert await names(page) == ["Ann", "Bob", "Cem"]
    await page.get_by_role("link", name="Lessons done").click()
    assert await names(page) == ["Ann", "Bob", "Cem"]  # most lessons first
    assert await page.locator("th[aria-sort=descending]").inner_text() == "Lessons done ▼"
    await page.get_by_role("link", name="Lessons done").click()
    assert await names(page) == ["Cem", "Bob", "Ann"]
    await page.get_by_label("Find a name on this page").fill("bo")
    await expect(page.locator("table.members tbody tr:visible")).to_have_count(1)
    await page.get_by_label("Find a name on this page").fill("")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "dashboard-group.png"), full_page=True)

    await page.get_by_label("Lesson", exact=True).select_option("habits-2")
    await page.get_by_role("button", name="Push to the group").click()
    await expect(page.get_by_role("status")).to_have_text(
        "Queued: lesson habits-2 goes out to the group in a moment.")
    await served.town.service.step()
    sent = [o.reply.lesson.lesson_id for o in served.town.messenger.to("-100") if o.reply.lesson]
    assert sent == ["habits-2"]

    await page.set_viewport_size({"width": 390, "height": 844})
    await page.reload()
    row = page.locator("table.members tbody tr").first
    assert (await row.bounding_box() or {"width": 9999})["width"] <= 390  # rows become cards
    await page.screenshot(path=str(ARTIFACTS / "dashboard-group-phone.png"), full_page=True)


async def test_other_groups_expired_and_forged_links_are_refused(
        browser: Browser, served: Served, clock: SimulatedClock) -> None:
    await served.mentor("olga", group="-200").say("report")
    page = await browser.new_page()
    await sign_in(page, await served.link())
    await page.goto(served.base + "/dashboard")
    assert await page.get_by_role("link", name="-200").count() == 0
    other = await served.link("olga", "-200")  # only to learn -200's page: olga's own link
    helper = await browser.new_page()
    await sign_in(helper, other)
    await helper.get_by_role("link", name="-200").click()
    other_page = helper.url
    await page.goto(other_page)
    await expect(page.get_by_role("heading", name="Not one of your groups")).to_be_visible()

    await page.goto(other.replace("/open/", "/open/x"))
    await expect(page.get_by_role("heading", name="This link isn't valid")).to_be_visible()
    stale = await served.link()
    clock.advance(timedelta(hours=25))
    await page.goto(stale)
    await expect(page.get_by_role("heading", name="This link has expired")).to_be_visible()
    await expect(page.get_by_text("Type dashboard in a group you mentor")).to_be_visible()
