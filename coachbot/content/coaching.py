"""What the coach says of its own: every coaching message, in the content with defaults.

`content/coaching.yaml` may set any of these; whatever it leaves out keeps the default here,
so a curriculum without the file still coaches. Placeholders in braces (`{title}`) are filled
in by the coach; `content check` refuses a placeholder a message does not know.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Audience(_Section):
    """Who a learner can say they are here for; tracks name these ids in `audiences`."""

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=30)
    label: str = Field(min_length=1, max_length=40)


DEFAULT_AUDIENCES = [
    Audience(id="personal", label="A personal account"),
    Audience(id="community", label="A community or club"),
    Audience(id="business", label="A small business"),
    Audience(id="team", label="A team at work"),
]


class Waits(_Section):
    """Lessons that wait for the learner: the still-waiting note, the pause after silence,
    `next` with a lesson open, lessons set aside, and the end of a track with some still open."""

    still_waiting: str = ("Your lesson \"{title}\" is still waiting for you; no new one until "
                          "you've had a look. Tap below to open it.")
    open_button: str = "Open the lesson"
    days_before_pause: int = Field(default=3, ge=1, le=14)
    paused_by_silence: str = ("I've paused your lessons so they don't pile up. Type resume "
                              "whenever you're ready.")
    paused: str = "Paused. No lessons until you type resume. Your progress and your streak are kept."
    resumed: str = ("Welcome back. You'll continue with your next lesson, {when}. Type next to "
                    "take it now.")
    resumed_waiting: str = ("Welcome back. Your lesson \"{title}\" is waiting for you; tap below "
                            "to open it.")
    next_question: str = ("Your lesson \"{title}\" is still open. Mark it done first, or set it "
                          "aside for later?")
    done_button: str = "Mark it done"
    aside_button: str = "Set it aside"
    set_aside: str = ("Set aside: \"{title}\". Type progress to find it, and lesson {id} to take it "
                      "whenever you like.")
    not_open: str = "That lesson isn't open any more. Type next for a new one."
    set_aside_lines: str = "Set aside for later: {lessons}. Type lesson <id> to take one."
    track_open: str = ("That was the last new lesson of {track}, but it isn't finished yet: "
                       "{count} of its {total} lessons still open. Take them whenever you like:")
    open_lesson_button: str = "Open \"{title}\""
    track_open_next: str = "Or move on: type track {id} for {title}."


class FollowUps(_Section):
    """The follow-up on a lesson's "try this", and the defaults for its three answers."""

    question: str = "Yesterday's try-this: {action}. How did it go?"
    response_button: str = "Tried it, got a response"
    nothing_button: str = "Tried it, nothing yet"
    not_yet_button: str = "Didn't get to it"
    response: str = "That's the whole idea: you showed up and someone answered. Keep that going."
    nothing: str = ("Trying counts. Responses take time; a small thing done again tends to be "
                    "noticed.")
    not_yet: str = "No problem. It will still work another day; pick a moment that's easy."


class Reviews(_Section):
    """A check-in coming back for review."""

    intro: str = "A quick look back at \"{title}\":"


class Path(_Section):
    """The personal path: the onboarding question and what `path` shows."""

    question: str = "What brings you here?"
    audiences: list[Audience] = Field(default_factory=lambda: list(DEFAULT_AUDIENCES), min_length=1)


class ConfidenceTexts(_Section):
    """The confidence question at the start and at the end of each track."""

    question: str = "How confident do you feel about {teaches}? 1 is not at all, 5 is very."


class Plan(_Section):
    """The learner's own plan: `plan`, the end of the path, and the nudge a while later."""

    nudge_after_days: int = Field(default=30, ge=1, le=365)


class Coaching(_Section):
    waits: Waits = Waits()
    followups: FollowUps = FollowUps()
    reviews: Reviews = Reviews()
    path: Path = Path()
    confidence: ConfidenceTexts = ConfidenceTexts()
    plan: Plan = Plan()
