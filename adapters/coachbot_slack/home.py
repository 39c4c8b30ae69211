"""App Home: a learner's progress, streak, next lesson, track and settings at a glance."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.web.async_client import AsyncWebClient

from coachbot.conversation import Coach
from coachbot.conversation.coach import GRACE_EVERY_DAYS
from coachbot.conversation.render import plural
from coachbot.localtime import describe_local, local_date, next_delivery, parse_hhmm
from coachbot.store.models import Learner, Status
from coachbot.store.repository import Repository
from coachbot.streaks import current_streak
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


async def load_state(coach: Coach, platform: str, user_id: str) -> HomeState | None:
    """Read-only: opening the Home tab never creates or changes a learner."""
    async with coach.sessions() as session:
        repo = Repository(session)
        learner = await repo.learner(platform, user_id)
        if learner is None or learner.status == Status.NEW:
            return None
        now = coach.clock.now()
        track = coach.track_of(learner)
        done = await repo.completed_counts(learner)
        streak = current_streak(await repo.done_days(learner), local_date(now, learner.timezone),
                                GRACE_EVERY_DAYS)
        position = (await repo.positions(learner)).get(track.id, 0)
        finished = position >= len(track.lessons)
        delivered = await repo.delivered_on(learner, local_date(now, learner.timezone))
        return HomeState(
            status=learner.status, track=track.title, track_done=done.get(track.id, 0),
            track_total=len(track.lessons), overall_done=sum(done.values()),
            overall_total=coach.content.lesson_count,
            streak=plural(streak.days, "day") + (" (a missed day was forgiven)" if streak.grace_used else ""),
            next_lesson=next_lesson(learner, now, delivered, finished), zone=learner.timezone,
            delivery_time=learner.delivery_time, reminders=learner.reminders)


def next_lesson(learner: Learner, now: datetime, delivered_today: bool, finished: bool) -> str:
    if learner.status == Status.PAUSED:
        return "Paused: press Resume to continue"
    if learner.status == Status.STOPPED:
        return "Stopped: send me start to come back"
    if finished:
        return "You've had every lesson in this track: pick another"
    at = parse_hhmm(learner.delivery_time) or parse_hhmm("09:00")
    assert at is not None
    when = next_delivery(now, learner.timezone, at, delivered_today)
    return describe_local(when, learner.timezone, now).capitalize()


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

    def __init__(self, coach: Coach, client: AsyncWebClient) -> None:
        self.coach = coach
        self.client = client
        self._shown: dict[str, str] = {}

    async def refresh(self, user_id: str, force: bool = False) -> None:
        view = home_view(await load_state(self.coach, PLATFORM, user_id))
        key = json.dumps(view, sort_keys=True)
        if not force and self._shown.get(user_id) == key:
            return
        await self.client.views_publish(user_id=user_id, view=view)
        if len(self._shown) >= MAX_REMEMBERED:
            self._shown.clear()
        self._shown[user_id] = key
