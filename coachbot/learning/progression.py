"""Lesson progression, the same for `next` and the scheduler: deliver, withdraw, complete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from coachbot.content.models import Content, Lesson, Track
from coachbot.learning.state import IDLE, AwaitingCheckin, dump_state, parse_state
from coachbot.localtime import local_date
from coachbot.store.models import Learner, LessonRecord
from coachbot.store.repository import Repository


@dataclass(frozen=True)
class Delivered:
    """A lesson just recorded as delivered: which one, and where it sits in its track."""

    track: Track
    index: int

    @property
    def lesson(self) -> Lesson:
        return self.track.lessons[self.index]


class Progression:
    """Moves a learner through the curriculum; every change happens in the caller's unit of work."""

    def __init__(self, content: Content) -> None:
        self.content = content

    def track_of(self, learner: Learner) -> Track:
        """The learner's current track (the first one when unset or no longer in the content)."""
        return self.content.track(learner.current_track or "") or self.content.default_track

    async def deliver_next(self, repo: Repository, learner: Learner, now: datetime) -> Delivered | None:
        """Record the next lesson of the learner's track as delivered now; None when the track is done."""
        track = self.track_of(learner)
        learner.current_track = track.id
        progress = await repo.progress(learner, track.id)
        if progress.position >= len(track.lessons):
            return None
        index = progress.position
        lesson = track.lessons[index]
        await repo.add_record(learner, track.id, lesson.id, now, local_date(now, learner.timezone))
        progress.position += 1
        learner.pending = dump_state(AwaitingCheckin(lesson.id))
        return Delivered(track, index)

    async def withdraw(self, repo: Repository, learner: Learner, lesson_id: str) -> bool:
        """Undo `deliver_next` for a lesson that surely never reached the learner.

        Only while nothing happened since: not completed, and still the last one in its track.
        """
        record = await repo.record(learner, lesson_id)
        found = self.content.lesson(lesson_id)
        if record is None or found is None or record.completed_at is not None:
            return False
        track, index = found
        progress = await repo.progress(learner, track.id)
        if progress.position != index + 1:
            return False
        await repo.session.delete(record)
        progress.position = index
        if parse_state(learner.pending) == AwaitingCheckin(lesson_id):
            previous = await repo.latest_record(learner, track.id)
            still_open = previous is not None and previous.completed_at is None
            learner.pending = dump_state(AwaitingCheckin(previous.lesson_id) if previous and still_open
                                         else IDLE)
            learner.choices = None
        return True

    @staticmethod
    def complete(learner: Learner, record: LessonRecord, now: datetime) -> None:
        """Mark a delivered lesson done today (the learner's local day counts for the streak)."""
        record.completed_at = now
        record.completed_on = local_date(now, learner.timezone)
        if parse_state(learner.pending) == AwaitingCheckin(record.lesson_id):
            learner.pending = dump_state(IDLE)
            learner.choices = None
