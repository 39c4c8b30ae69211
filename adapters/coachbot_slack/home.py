"""App Home: a learner's progress, streak, next lesson, track and settings at a glance."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.web.async_client import AsyncWebClient

from coachbot.bootstrap import App
from coachbot.learning.render import plural
from coachbot.learning.summary import ProgressSummary, summarise
from coachbot.localtime import describe_local
from coachbot.store.models import Status
from coachbot.store.repository import Repository
from coachbot_slack.blocks import ACTION_PREFIX, Block, button, context, escape, section
from coachbot_slack.messenger import PLATFORM

MAX_REMEMBERED = 10_000


@dataclass(frozen=True)
class HomeState:
    """What the Home tab shows; None fields mean the learner has not started."""

    status: str
    track: str
    track_done: int
    track_total: int
    overall_done: int
    overall_total: int
    streak: str
    next_lesson: str
    zone: str
    delivery_time: str
    reminders: bool


async def load_state(app: App, platform: str, user_id: str) -> HomeState | None:
    """Read-only: opening the Home tab never creates or changes a learner."""
    async with app.sessions() as session:
        repo = Repository(session)
        learner = await repo.learner(platform, user_id)
        if learner is None or learner.status == Status.NEW:
            return None
        now = app.clock.now()
        summary = await summarise(app.progression, repo, learner, now)
    graced = " (a missed day was forgiven)" if summary.streak.grace_used else ""
    return HomeState(
        status=summary.status, track=summary.track_title, track_done=summary.track_done,
        track_total=summary.track_total, overall_done=summary.overall_done,
        overall_total=summary.overall_total, streak=plural(summary.streak.days, "day") + graced,
        next_lesson=next_lesson(summary, now), zone=summary.zone,
        delivery_time=summary.delivery_time, reminders=summary.reminders)


def next_lesson(summary: ProgressSummary, now: datetime) -> str:
    if summary.status == Status.PAUSED:
        return "Paused: press Resume to continue"
    if summary.status == Status.STOPPED:
        return "Stopped: send me start to come back"
    if summary.next_delivery is None:
        return "You've had every lesson in this track: pick another"
    return describe_local(summary.next_delivery, summary.zone, now).capitalize()


def home_button(label: str, command: str, style: str | None = None) -> Block:
    return button(label, f"{ACTION_PREFIX}home-{command.replace(' ', '-')}", f"cmd:{command}", style)


def welcome_blocks() -> list[Block]:
    return [
        section("I'm your coach for social engagement: one short lesson a day, with a small thing "
                "to try and a quick check-in. Press *Start* to pick a track, your time zone and a "
                "delivery time, or send me `start` in the Messages tab."),
        {"type": "actions", "elements": [home_button("Start", "start", "primary")]},
    ]


def progress_blocks(state: HomeState) -> list[Block]:
    fields = [
        f"*Track*\n{escape(state.track)}\n{state.track_done} of {state.track_total} done",
        f"*Streak*\n{state.streak}",
        f"*Next lesson*\n{escape(state.next_lesson)}",
        f"*Overall*\n{state.overall_done} of {state.overall_total} lessons done",
    ]
    settings = (f"*Settings*\nDaily at {state.delivery_time} · Time zone {state.zone} · "
                f"Reminders {'on' if state.reminders else 'off'}")
    active = state.status == Status.ACTIVE
    buttons = [home_button("Take the next lesson", "next", "primary")] if active else []
    buttons.append(home_button("Pause", "pause") if active else home_button("Resume", "resume"))
    buttons.append(home_button("Reminders off" if state.reminders else "Reminders on",
                               f"reminders {'off' if state.reminders else 'on'}"))
    buttons.append(home_button("Change track", "tracks"))
    return [
        {"type": "section", "fields": [{"type": "mrkdwn", "text": text} for text in fields]},
        section(settings),
        {"type": "actions", "elements": buttons},
        context("To change the time or the zone, send me `time 07:30` or `tz Europe/Berlin` in "
                "the Messages tab. `help` lists everything."),
    ]


def home_view(state: HomeState | None) -> dict[str, object]:
    header: Block = {"type": "header", "text": {"type": "plain_text", "text": "Your coaching"}}
    body = welcome_blocks() if state is None else progress_blocks(state)
    return {"type": "home", "blocks": [header, *body]}


class HomeTab:
    """Publishes a learner's Home tab when they open it, and again whenever it would change."""

    def __init__(self, app: App, client: AsyncWebClient) -> None:
        self.app = app
        self.client = client
        self._shown: dict[str, str] = {}

    async def refresh(self, user_id: str, force: bool = False) -> None:
        view = home_view(await load_state(self.app, PLATFORM, user_id))
        key = json.dumps(view, sort_keys=True)
        if not force and self._shown.get(user_id) == key:
            return
        await self.client.views_publish(user_id=user_id, view=view)
        if len(self._shown) >= MAX_REMEMBERED:
            self._shown.clear()
        self._shown[user_id] = key
