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
    """Lessons that wait for the learner: the still-waiting note, the pause after silence."""

    still_waiting: str = ("Your lesson \"{title}\" is still waiting for you; no new one until "
                          "you've had a look. Tap below to open it.")
    open_button: str = "Open the lesson"
    days_before_pause: int = Field(default=3, ge=1, le=14)
    paused_by_silence: str = ("I've paused your lessons so they don't pile up. Type resume "
                              "whenever you're ready.")


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
    question_hint: str = "Reply with a number, or ok for 1. {label}."
    unknown: str = "I don't have '{value}' as an answer. Pick one of these: {ids}."
    chosen: str = "Noted: {label}. Your path puts these tracks first."
    others: str = "Other tracks, if you'd like to look further:"
    heading: str = "Your path ({label}):"
    done_mark: str = "done"
    current_mark: str = "you are here"
    next_mark: str = "next"
    how_to_switch: str = ("Type track <id> to take any track, on the path or not, and path "
                          "<{ids}> to change what brings you here.")
    no_purpose: str = ("You haven't told me what brings you here, so every track is on your "
                       "path. Type path followed by one of {ids}, or tap below.")
    changed: str = "Your path is now for {label}."

    def audience(self, audience_id: str | None) -> Audience | None:
        return next((a for a in self.audiences if a.id == audience_id), None)

    @property
    def ids(self) -> list[str]:
        return [a.id for a in self.audiences]


class ConfidenceTexts(_Section):
    """The confidence question at the start and at the end of each track."""

    question: str = "How confident do you feel about {teaches}? 1 is not at all, 5 is very."
    thanks: str = "Thanks: {score} of 5, noted."
    thanks_start: str = "Thanks: {score} of 5, noted. I'll ask again at the end of the track."
    thanks_end: str = "Thanks: {score} of 5, noted (it was {start} of 5 when you began)."
    already: str = "You've already told me that one: {score} of 5."
    pick: str = "Pick a number from 1 (not at all) to 5 (very)."
    checkin_open: str = "Your check-in on \"{title}\" is still open: reply to it whenever you like."
    progress_line: str = "Confidence in {teaches}: {start} → {end}"
    report_title: str = "Confidence lift"
    report_start: str = "mean at the start of a track"
    report_end: str = "mean at its end"
    report_count: str = "members who answered both"
    report_none: str = "not enough answers yet"


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
