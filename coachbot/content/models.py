"""Typed content: tracks of lessons and FAQ entries, validated on load."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from coachbot.content.coaching import Coaching
from coachbot.content.errors import ContentProblem

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Choice(_Strict):
    text: str = Field(min_length=1)
    explanation: str = Field(min_length=1)
    best: bool = False


class CheckIn(_Strict):
    question: str = Field(min_length=1)
    choices: list[Choice] = Field(default_factory=list)

    @field_validator("choices")
    @classmethod
    def _two_or_more(cls, choices: list[Choice]) -> list[Choice]:
        if len(choices) == 1:
            raise ValueError("at least 2 choices required (or none for an open reflection)")
        if len(choices) > 6:
            raise ValueError("at most 6 choices fit on a phone screen")
        if choices and sum(c.best for c in choices) != 1:
            raise ValueError("exactly one choice must be marked best: true")
        return choices

    @property
    def is_reflection(self) -> bool:
        return not self.choices


class FollowUpReplies(_Strict):
    """What the coach says to each answer of this lesson's follow-up (else coaching.yaml's)."""

    response: str | None = Field(default=None, min_length=1)
    nothing: str | None = Field(default=None, min_length=1)
    not_yet: str | None = Field(default=None, min_length=1)


class Lesson(_Strict):
    id: str = Field(pattern=SLUG, max_length=40)
    title: str = Field(min_length=1, max_length=120)
    body: str = Field(min_length=1)
    try_this: str = Field(min_length=1)
    try_minutes: int = Field(default=10, ge=1, le=15)
    checkin: CheckIn
    followup: FollowUpReplies = FollowUpReplies()


class Track(_Strict):
    id: str = Field(pattern=SLUG, max_length=30)
    title: str = Field(min_length=1, max_length=80)
    summary: str = ""
    order: int = 100
    next_track: str | None = None
    # Whom the track is for (audience ids of coaching.yaml); empty: everyone.
    audiences: list[str] = Field(default_factory=list)
    # Audiences whose path takes this track before the others (strategy, for a business).
    early_for: list[str] = Field(default_factory=list)
    # What it teaches, for "How confident do you feel about ...?" (default: its title).
    teaches: str = ""
    lessons: list[Lesson] = Field(min_length=1)

    @model_validator(mode="after")
    def _not_self(self) -> Track:
        if self.next_track == self.id:
            raise ValueError("next_track must name another track")
        return self

    @property
    def subject(self) -> str:
        """What the track teaches, as the confidence question names it."""
        return self.teaches or self.title


class Topic(_Strict):
    """A FAQ topic the product promises to answer: its fixed id and what an answer covers."""

    id: str = Field(pattern=SLUG, max_length=60)
    question: str = Field(min_length=1)
    about: str = ""


class FaqEntry(_Strict):
    id: str = Field(pattern=SLUG, max_length=60)
    question: str = Field(min_length=1)
    answer: str = Field(min_length=1)
    alternates: list[str] = Field(default_factory=list)
    lessons: list[str] = Field(default_factory=list)


def word_count(text: str) -> int:
    return len(re.findall(r"\S+", text))


@dataclass(frozen=True)
class SourceRef:
    """Where a piece of content came from, for error messages."""

    path: str
    line: int


@dataclass
class Content:
    """Everything the coach teaches and answers, in curriculum order."""

    tracks: list[Track]
    faq: list[FaqEntry]
    sources: dict[str, SourceRef] = field(default_factory=dict)
    # FAQ ids the product promises to answer (faq-topics.yaml); checked by `content check`.
    required_topics: list[str] = field(default_factory=list)
    coaching: Coaching = field(default_factory=Coaching)

    def __post_init__(self) -> None:
        self.tracks.sort(key=lambda t: (t.order, t.id))
        self._tracks = {t.id: t for t in self.tracks}
        self._lessons = {lesson.id: (track, i) for track in self.tracks
                         for i, lesson in enumerate(track.lessons)}

    @property
    def default_track(self) -> Track:
        return self.tracks[0]

    def track(self, track_id: str) -> Track | None:
        return self._tracks.get(track_id)

    def lesson(self, lesson_id: str) -> tuple[Track, int] | None:
        """The track holding a lesson and the lesson's index in it."""
        return self._lessons.get(lesson_id)

    def lesson_by_id(self, lesson_id: str) -> Lesson | None:
        """The lesson itself; None once it is no longer in the curriculum."""
        found = self._lessons.get(lesson_id)
        return None if found is None else found[0].lessons[found[1]]

    @property
    def lesson_count(self) -> int:
        return len(self._lessons)

    def problem(self, key: str, field: str, message: str) -> ContentProblem:
        """A problem located at the file and line a track, lesson or `faq:<id>` came from."""
        ref = self.sources.get(key)
        return ContentProblem(ref.path if ref else "content", ref.line if ref else 1, field, message)
