"""What every handler of a turn works with: who wrote, their record, the curriculum, and now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from coachbot.content.models import Content, Track
from coachbot.faq.base import FaqMatcher
from coachbot.learning.progression import Progression
from coachbot.learning.state import State, dump_state, parse_state
from coachbot.messages import Incoming, Reply
from coachbot.settings import Settings
from coachbot.store.models import Group, Learner
from coachbot.store.repository import Repository


@dataclass(frozen=True)
class Parts:
    """The coach's long-lived parts, the same for every turn."""

    content: Content
    progression: Progression
    faq: FaqMatcher
    settings: Settings
    default_zone: str


@dataclass
class Context:
    """One turn: an incoming message for one learner, inside one unit of work."""

    incoming: Incoming
    repo: Repository
    learner: Learner
    group: Group | None
    now: datetime
    parts: Parts
    queued: bool = False  # something went into the outbox: wake the scheduler after commit
    forgotten: bool = False  # the learner was deleted: nothing more may be written for them
    notes: list[str] = field(default_factory=list)

    @property
    def content(self) -> Content:
        return self.parts.content

    @property
    def settings(self) -> Settings:
        return self.parts.settings

    @property
    def zone(self) -> str:
        return self.learner.timezone

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(ZoneInfo(self.zone))

    @property
    def state(self) -> State:
        return parse_state(self.learner.pending)

    @state.setter
    def state(self, value: State) -> None:
        self.learner.pending = dump_state(value)

    def track(self) -> Track:
        return self.parts.progression.track_of(self.learner)


@dataclass(frozen=True)
class TurnResult:
    replies: list[Reply]
    queued: bool
    forgotten: bool
