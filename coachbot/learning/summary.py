"""A learner's progress in one summary: what the conversation, App Home and reports all show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from coachbot.learning import waits
from coachbot.learning.progression import Progression
from coachbot.localtime import local_date, next_delivery, parse_hhmm
from coachbot.store.models import Learner, Status
from coachbot.store.repository import Repository
from coachbot.streaks import Streak, current_streak

# A streak forgives one missed day in every this many.
GRACE_EVERY_DAYS = 7
DEFAULT_TIME = "09:00"


@dataclass(frozen=True)
class ProgressSummary:
    status: str
    track_id: str
    track_title: str
    track_done: int
    track_total: int
    overall_done: int
    overall_total: int
    streak: Streak
    track_finished: bool
    next_delivery: datetime | None  # None while paused, stopped or with the track finished
    zone: str
    delivery_time: str
    reminders: bool


async def streak_of(repo: Repository, learner: Learner, now: datetime) -> Streak:
    """The learner's streak as of their local today; days their lessons were paused are frozen."""
    today = local_date(now, learner.timezone)
    return current_streak(await repo.done_days(learner), today, GRACE_EVERY_DAYS,
                          await waits.paused_days(repo, learner, today))


def next_delivery_of(learner: Learner, now: datetime, delivered_today: bool) -> datetime:
    """When the learner's next daily lesson is due, from their own time and zone."""
    at = parse_hhmm(learner.delivery_time) or parse_hhmm(DEFAULT_TIME)
    assert at is not None
    return next_delivery(now, learner.timezone, at, delivered_today)


async def summarise(progression: Progression, repo: Repository, learner: Learner,
                    now: datetime) -> ProgressSummary:
    track = progression.track_of(learner)
    done = await repo.completed_counts(learner)
    position = (await repo.positions(learner)).get(track.id, 0)
    finished = position >= len(track.lessons)
    upcoming: datetime | None = None
    if learner.status == Status.ACTIVE and not finished:
        delivered = await repo.delivered_on(learner, local_date(now, learner.timezone))
        upcoming = next_delivery_of(learner, now, delivered)
    return ProgressSummary(
        status=learner.status, track_id=track.id, track_title=track.title,
        track_done=done.get(track.id, 0), track_total=len(track.lessons),
        overall_done=sum(done.values()), overall_total=progression.content.lesson_count,
        streak=await streak_of(repo, learner, now), track_finished=finished,
        next_delivery=upcoming, zone=learner.timezone, delivery_time=learner.delivery_time,
        reminders=learner.reminders)
