"""Where a learner is in the conversation, typed, and stored as one short string.

The string form is what the `learners.pending` column has always held ("onboard:tz",
"checkin:<lesson id>", "forget"), so stored conversations survive upgrades and restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

OnboardingStep = Literal["track", "tz", "time"]
STEPS: tuple[OnboardingStep, ...] = ("track", "tz", "time")


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


State = Idle | Onboarding | AwaitingCheckin | ConfirmingForget
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
    return IDLE


def dump_state(state: State) -> str | None:
    if isinstance(state, Onboarding):
        return f"onboard:{state.step}"
    if isinstance(state, AwaitingCheckin):
        return f"checkin:{state.lesson_id}"
    if isinstance(state, ConfirmingForget):
        return "forget"
    return None
