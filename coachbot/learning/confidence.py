"""Confidence before and after: one question, 1 to 5, at the start and at the end of a track.

The start question is asked as soon as a learner begins a track in the conversation (the end
of onboarding, `track <id>`), or else with the daily message once a lesson of the track went
out; the end question once every lesson of a track is done, for a track whose start was asked,
so the two compare like with like. Each is asked once: its row (learner, track, moment) is
written when asked and gets the score when answered. A group's report shows the lift
(groups/lift.py).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, case, exists, func, select
from sqlalchemy.orm import aliased

from coachbot.buttons import Rate, encode
from coachbot.content.models import Content, Track
from coachbot.learning.progression import Progression
from coachbot.learning.state import Moment, RatingConfidence, dump_state
from coachbot.messages import Choice, Reply
from coachbot.store.models import Confidence, Learner, LessonRecord
from coachbot.store.repository import Repository, encode_choices

SCORES = range(1, 6)


def question(content: Content, track: Track, moment: Moment) -> Reply:
    text = content.coaching.confidence.question.format(teaches=track.subject)
    return Reply(text, tuple(Choice(str(score), encode(Rate(track.id, moment, score)))
                             for score in SCORES))


async def asked(repo: Repository, learner: Learner) -> dict[tuple[str, str], Confidence]:
    """Every question asked of this learner, by (track, moment)."""
    rows = await repo.session.scalars(select(Confidence).where(Confidence.learner_id == learner.id))
    return {(row.track_id, row.moment): row for row in rows}


async def ask(repo: Repository, content: Content, learner: Learner, track: Track, moment: Moment,
              now: datetime) -> Reply | None:
    """Ask now, opening the state that takes the answer; None when it was asked before."""
    if await repo.session.get(Confidence, (learner.id, track.id, moment)) is not None:
        return None
    repo.session.add(Confidence(learner_id=learner.id, track_id=track.id, moment=moment,
                                asked_at=now))
    reply = question(content, track, moment)
    learner.pending = dump_state(RatingConfidence(track.id, moment))
    learner.choices = encode_choices([choice.action for choice in reply.choices])
    return reply


def parse_key(key: str) -> tuple[str, Moment] | None:
    """"<track>:<moment>", as the outbox row's body keeps it."""
    track_id, _, moment = key.rpartition(":")
    if not track_id or moment not in ("start", "end"):
        return None
    return track_id, "start" if moment == "start" else "end"


class ConfidenceQuestions:
    """The daily extra that asks a start or end question the conversation has not asked."""

    what = "confidence"

    def __init__(self, progression: Progression) -> None:
        self.progression = progression
        self.content = progression.content

    async def due(self, repo: Repository, learner: Learner, today: date, now: datetime) -> str | None:
        rows = await asked(repo, learner)
        done = await repo.completed_counts(learner)
        current = self.progression.track_of(learner)
        if ((current.id, "start") not in rows and done.get(current.id, 0) < len(current.lessons)
                and await repo.latest_record(learner, current.id) is not None):
            return f"{current.id}:start"
        for track in self.content.tracks:
            if ((track.id, "start") in rows and (track.id, "end") not in rows
                    and done.get(track.id, 0) >= len(track.lessons)):
                return f"{track.id}:end"
        return None

    async def render(self, repo: Repository, learner: Learner, key: str, now: datetime) -> Reply | None:
        parsed = parse_key(key)
        track = self.content.track(parsed[0]) if parsed else None
        if parsed is None or track is None:
            return None
        return await ask(repo, self.content, learner, track, parsed[1], now)

    def planned(self, today: date) -> ColumnElement[bool]:
        current = func.coalesce(Learner.current_track, self.content.default_track.id)
        start, end = aliased(Confidence), aliased(Confidence)
        begun = and_(
            exists().where(LessonRecord.learner_id == Learner.id, LessonRecord.track_id == current),
            ~exists().where(start.learner_id == Learner.id, start.track_id == current,
                            start.moment == "start"))
        lengths = {track.id: len(track.lessons) for track in self.content.tracks}
        done = (select(func.count()).where(LessonRecord.learner_id == Learner.id,
                                           LessonRecord.track_id == start.track_id,
                                           LessonRecord.completed_at.is_not(None))
                .scalar_subquery())
        finished = exists().where(
            start.learner_id == Learner.id, start.moment == "start",
            start.track_id.in_(lengths), done >= case(lengths, value=start.track_id, else_=0),
            ~exists().where(end.learner_id == Learner.id, end.track_id == start.track_id,
                            end.moment == "end"))
        return begun | finished
