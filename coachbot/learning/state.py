"""Where a learner is in the conversation, typed, and stored as one short string.

The string form is what the `learners.pending` column has always held ("onboard:tz",
"checkin:<lesson id>", "forget", "review:<lesson id>"...), so stored conversations survive
upgrades and restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

OnboardingStep = Literal["purpose", "track", "tz", "time"]
STEPS: tuple[OnboardingStep, ...] = ("purpose", "track", "tz", "time")
Moment = Literal["start", "end"]


@dataclass(frozen=True)
class Idle:
    """Nothing asked: commands, numbers for the last choices, and questions."""


@dataclass(frozen=True)
class Onboarding:
    """`start` asked a question: which track, which time zone, or what time."""

    step: OnboardingStep


@dataclass(frozen=True)
class AwaitingCheckin:
    """A lesson was delivered and its check-in (a choice, or an open reflection) is open."""

    lesson_id: str


@dataclass(frozen=True)
class ConfirmingForget:
    """`forget` asked for an explicit yes."""


@dataclass(frozen=True)
class ChoosingNext:
    """`next` with a lesson still open asked: mark that one done first, or set it aside?"""

    lesson_id: str


@dataclass(frozen=True)
class FollowingUp:
    """The coach asked how a lesson's "try this" went (three answers, or a few words)."""

    lesson_id: str


@dataclass(frozen=True)
class Reviewing:
    """A check-in came back for review; its choices are open."""

    lesson_id: str


@dataclass(frozen=True)
class RatingConfidence:
    """The coach asked how confident the learner feels about a track's subject (1 to 5)."""

    track_id: str
    moment: Moment


State = (Idle | Onboarding | AwaitingCheckin | ConfirmingForget | ChoosingNext | FollowingUp
         | Reviewing | RatingConfidence)
IDLE = Idle()


def parse_state(raw: str | None) -> State:
    """The stored string as a state; anything unknown (an older or damaged value) is Idle."""
    kind, _, rest = (raw or "").partition(":")
    if kind == "onboard":
        for step in STEPS:
            if rest == step:
                return Onboarding(step)
    if kind == "checkin" and rest:
        return AwaitingCheckin(rest)
    if kind == "forget" and not rest:
        return ConfirmingForget()
    if kind == "next" and rest:
        return ChoosingNext(rest)
    if kind == "followup" and rest:
        return FollowingUp(rest)
    if kind == "review" and rest:
        return Reviewing(rest)
    track_id, _, moment = rest.rpartition(":")
    if kind == "confidence" and track_id and moment in ("start", "end"):
        return RatingConfidence(track_id, "start" if moment == "start" else "end")
    return IDLE


def dump_state(state: State) -> str | None:
    if isinstance(state, Onboarding):
        return f"onboard:{state.step}"
    if isinstance(state, AwaitingCheckin):
        return f"checkin:{state.lesson_id}"
    if isinstance(state, ConfirmingForget):
        return "forget"
    if isinstance(state, ChoosingNext):
        return f"next:{state.lesson_id}"
    if isinstance(state, FollowingUp):
        return f"followup:{state.lesson_id}"
    if isinstance(state, Reviewing):
        return f"review:{state.lesson_id}"
    if isinstance(state, RatingConfidence):
        return f"confidence:{state.track_id}:{state.moment}"
    return None
